"""How long the admin's big change lists take to open on the generated population.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_bench \\
        .venv/bin/python bench/admin_bench.py

Logs a superuser in with the test client, its session carrying a verified TOTP device
(as the admin's second-factor login leaves it), and times each change list — first
page unfiltered, plus a filtered and a searched variant — best of 3 after one warm-up.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    "/admin/accounts/cardholder/",
    "/admin/accounts/cardholder/?life_status__exact=living",
    "/admin/accounts/cardholder/?q=G000050000",
    "/admin/accounts/account/",
    "/admin/accounts/account/?kind__exact=personal",
    "/admin/accounts/ledgertransaction/",
    "/admin/accounts/ledgertransaction/?kind__exact=settlement",
    "/admin/accounts/contribution/",
    "/admin/accounts/contribution/?scheme__exact=pension",
    "/admin/accounts/settlement/",
    "/admin/withdrawals/withdrawalapplication/",
    "/admin/withdrawals/withdrawalapplication/?status__exact=awaiting_decision",
]


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import User
    from accounts.staff_otp import totp_device_for

    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    device = totp_device_for(user, confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    results = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            timings.append(time.perf_counter() - started)
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        results[url] = {
            "best_s": round(min(timings), 3),
            "queries": len(queries),
            "slowest_query_s": float(slowest["time"]),
            "slowest_query": slowest["sql"][:300],
        }
        print(f"{min(timings):6.3f}s  {len(queries):3d} queries  {url}")
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "admin.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
