"""How long the admin's big change lists take to open on the generated population.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_bench \\
        .venv/bin/python bench/admin_bench.py [--explain] [--count-up-to N]

Logs a superuser in with the test client, its session carrying a verified TOTP device
(as the admin's second-factor login leaves it), and times each change list — first
page unfiltered, filtered by a common and a rare value, by date, sorted, the last
linked page — best of 3 after one warm-up. Everything runs in one transaction that
is rolled back: the database is only read. With --explain, prints EXPLAIN ANALYZE of
each query that took 5 ms or more.
"""

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = [
    "/admin/accounts/cardholder/",
    "/admin/accounts/cardholder/?life_status__exact=living",
    "/admin/accounts/cardholder/?life_status__exact=deceased",
    "/admin/accounts/cardholder/?q=G000050000",
    "/admin/accounts/cardholder/?o=0",
    "/admin/accounts/cardholder/?p=200",
    "/admin/accounts/account/",
    "/admin/accounts/account/?kind__exact=personal",
    "/admin/accounts/account/?status__exact=frozen",
    "/admin/accounts/account/?o=-5",
    "/admin/accounts/account/?p=100",
    "/admin/accounts/ledgertransaction/",
    "/admin/accounts/ledgertransaction/?kind__exact=settlement",
    "/admin/accounts/ledgertransaction/?kind__exact=contribution",
    "/admin/accounts/ledgertransaction/?kind__exact=payout",
    "/admin/accounts/ledgertransaction/?posted_at__gte={month_start}&posted_at__lt={next_month}",
    "/admin/accounts/ledgertransaction/?posted_at__gte={year_start}&posted_at__lt={next_year}",
    "/admin/accounts/ledgertransaction/?posted_at__gte={week_ago}&posted_at__lt={tomorrow}",
    "/admin/accounts/ledgertransaction/?o=0",
    "/admin/accounts/ledgertransaction/?o=1",
    "/admin/accounts/ledgertransaction/?p=100",
    "/admin/accounts/ledgerentry/",
    "/admin/accounts/ledgerentry/?account__id__exact={system_account}",
    "/admin/accounts/ledgerentry/?account__id__exact={system_account}&p=100",
    "/admin/accounts/ledgerentry/?account__id__exact={deep_account}",
    "/admin/accounts/ledgerentry/?account__id__exact={small_account}",
    "/admin/accounts/ledgerentry/?o=0",
    "/admin/accounts/ledgerentry/?p=100",
    "/admin/accounts/contribution/",
    "/admin/accounts/contribution/?scheme__exact=pension",
    "/admin/accounts/contribution/?scheme__exact=maternity&payer__exact=employee",
    "/admin/accounts/contribution/?month__gte={d_year_start}&month__lt={d_next_year}",
    "/admin/accounts/contribution/?month__gte={d_month_start}&month__lt={d_next_month}",
    "/admin/accounts/contribution/?o=1",
    "/admin/accounts/contribution/?o=2",
    "/admin/accounts/contribution/?p=100",
    "/admin/accounts/settlement/",
    "/admin/accounts/settlement/?institution__kind__exact=pharmacy",
    "/admin/accounts/settlement/?o=2",
    "/admin/accounts/settlement/?o=5",
    "/admin/withdrawals/withdrawalapplication/",
    "/admin/withdrawals/withdrawalapplication/?status__exact=awaiting_decision",
]


def url_values():
    """Dates relative to today, as the admin's date filters build them, and a few
    accounts: the busiest system account, the long-history account if generated, and
    an ordinary personal one."""
    from datetime import datetime, timedelta
    from urllib.parse import quote

    from django.utils import timezone

    from accounts.models import Account

    today = timezone.localdate()
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    system = Account.objects.get(kind="system", system_code="contributions_received")
    deep = (
        Account.objects.filter(
            kind="personal", scheme="medical", cardholder__name__endswith="(long history)"
        )
        .order_by("-id")
        .first()
    )
    small = Account.objects.filter(kind="personal").order_by("id").first()
    days = {
        "tomorrow": today + timedelta(days=1),
        "week_ago": today - timedelta(days=7),
        "month_start": month_start,
        "next_month": next_month,
        "year_start": today.replace(month=1, day=1),
        "next_year": today.replace(year=today.year + 1, month=1, day=1),
    }
    # As the date filters put them in their links: midnight in the current time zone
    # for a date-time field ({name}), the date for a date field ({d_name}).
    midnight = datetime.min.time()
    return {
        **{
            k: quote(str(timezone.make_aware(datetime.combine(d, midnight))))
            for k, d in days.items()
        },
        **{f"d_{k}": d for k, d in days.items()},
        "system_account": system.pk,
        "deep_account": deep.pk if deep else None,
        "small_account": small.pk,
    }


def shown_count(html):
    """The count line under the list, as staff read it."""
    match = re.search(r'<p class="paginator">(.*?)</p>', html, re.S)
    if not match:
        return ""
    text = re.sub(r"<[^>]+>", " ", match.group(1))
    text = re.sub(r"\s+", " ", text).strip()
    return text[-160:]


def explain(connection, sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def time_page(client, connection, url, show_plan):
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        timings.append(time.perf_counter() - started)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    result = {
        "best_s": round(min(timings), 3),
        "queries": len(queries),
        "slowest_query_s": float(slowest["time"]),
        "slowest_query": slowest["sql"][:300],
        "shown": shown_count(response.content.decode()),
    }
    print(f"{min(timings):6.3f}s  {len(queries):3d} queries  {url}\n         {result['shown']}")
    if show_plan:
        for query in queries.captured_queries:
            if float(query["time"]) >= 0.005 and not query["sql"].startswith("EXPLAIN"):
                print(f"  {query['time']}s {query['sql'][:200]}")
                print(explain(connection, query["sql"]))
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--explain", action="store_true", help="EXPLAIN queries of 5 ms or more")
    parser.add_argument(
        "--count-up-to",
        type=int,
        help="count filtered lists exactly up to this many rows (10**12: always exactly)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import User
    from accounts.staff_otp import totp_device_for
    from sscard import admin_paging

    if args.count_up_to:
        admin_paging.COUNT_UP_TO = args.count_up_to

    results = {}
    # The login, its device and session are written inside this transaction and
    # rolled back with it.
    with transaction.atomic():
        user, _ = User.objects.get_or_create(
            username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
        )
        device = totp_device_for(user, confirmed=True)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        values = url_values()
        for template in PAGES:
            url = template.format(**values)
            if "=None" in url:
                continue  # no long-history account in this database
            results[url] = time_page(client, connection, url, args.explain)
        transaction.set_rollback(True)
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "admin.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
