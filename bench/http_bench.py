"""HTTP benchmark: the app's hot pages against a bare reference view, same run.

Starts two gunicorn servers on loopback with the same worker count and persistent
database connections — the app, and a reference that reads one row by primary key
and returns it as JSON with no middleware (bench/settings_reference.py) — checks
that every target answers 200 with the credentials given (a redirect to the login
page would look very fast), runs wrk against each target for a bounded time, and
prints every figure as a ratio to the reference measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_bench \\
        .venv/bin/python bench/http_bench.py --duration 15 --connections 16 64 --label pop100k

Targets: the dashboard (session cookie), GET /api/v1/accounts/ (token), the first page
of an account's history (page and API) and, with --deep-account, the first and the
last page of that account's history through the API. Results go to
bench/out/http-<label>.json. Loopback only; every wrk run stops by itself.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
APP_PORT, REF_PORT = 8801, 8802

SERVER_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "bench-" + "k" * 60,
    # The generated data was encrypted with the development keys (DEBUG on): keep them
    # readable, as a rotation would (docs/RELIABILITY.md, "Rotating the ID keys").
    "DJANGO_SECRET_KEY_FALLBACKS": "dev-only-insecure-key-do-not-use-in-production-0123456789",
    "SSCARD_PII_SALT_KEYS": "dev-only-pii-salt",
    "SSCARD_ID_HASH_KEY": "dev-only-id-hash-key",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DATABASE_CONN_MAX_AGE": "600",
    "SSCARD_LOG_LEVEL": "WARNING",
    "DJANGO_STATIC_ROOT": str(OUT / "static"),
}
# As in production, the processes share a Redis cache (sessions, rate limits, pages).
SERVER_ENV["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/13")


def django_setup():
    """Django with the servers' settings (the same secret key signs the session)."""
    os.environ.update(SERVER_ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    # DEBUG is off, so pages need the hashed static files' manifest.
    call_command("collectstatic", interactive=False, verbosity=0)


def credentials(national_id):
    """A session cookie and an API token for one cardholder, without a login round trip,
    and the id of their personal pension account."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from accounts.pii import login_username

    user = User.objects.get(username=login_username(national_id))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=user)
    account = user.cardholder.accounts.filter(kind="personal").order_by("id").first()
    return session.session_key, token.key, account.pk


def deep_account():
    """(national ID, personal medical account id, cursor of its last page, entries) of
    the cardholder with the longest history, as generate_population makes it."""
    from django.db.models import Count

    from accounts.models import Account, LedgerEntry
    from accounts.selectors import encode_cursor

    account = (
        Account.objects.filter(
            kind="personal", scheme="medical", cardholder__name__endswith="(long history)"
        )
        .select_related("cardholder")
        .order_by("-id")
        .first()
    )
    if account is None:
        raise SystemExit("no deep account: run generate_population --deep-account-entries N")
    entries = LedgerEntry.objects.filter(account=account).aggregate(n=Count("id"))["n"]
    # The last page of 20: the cursor of the entry just above the 20 oldest.
    oldest = list(
        LedgerEntry.objects.filter(account=account).order_by("id").values_list("id", flat=True)[:21]
    )
    return account.cardholder.national_id, account.pk, encode_cursor(oldest[-1]), entries


def start_server(port, settings_module, workers):
    env = {**os.environ, **SERVER_ENV, "DJANGO_SETTINGS_MODULE": settings_module}
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "sscard.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.3)
    return process


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check(url, headers):
    """The target must answer 200 itself (no redirect to a login page)."""
    request = urllib.request.Request(  # noqa: S310 - loopback http URLs built above
        url, headers=dict(h.split(": ", 1) for h in headers)
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=30)
        status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200: check the credentials")


def run_wrk(url, connections, duration, headers=(), threads=2):
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    args.append(url)
    done = subprocess.run(args, capture_output=True, text=True, timeout=duration + 60)
    out = done.stdout + done.stderr
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if not rps:
        print(out, file=sys.stderr)  # wrk could not run: say why

    figures = {"rps": rps}
    for name in ("50", "99"):
        match = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out)
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
        figures[f"p{name}_ms"] = float(match.group(1)) * scale
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*timeout (\d+)", out)
    figures["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    figures["timeouts"] = int(errors.group(1)) if errors else 0
    return figures


def machine():
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "loadavg_before": os.getloadavg(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--national-id", default="110105198503150019", help="whose pages")
    parser.add_argument("--deep-account", action="store_true", help="time first vs last page")
    parser.add_argument(
        "--only", nargs="+", default=None, help="run only these targets (and the reference)"
    )
    parser.add_argument("--label", default="demo")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    django_setup()
    from django.db import connection

    session, token, account_id = credentials(args.national_id)
    cookie = f"Cookie: sessionid={session}"
    auth = f"Authorization: Token {token}"
    app = f"http://127.0.0.1:{APP_PORT}"
    targets = {
        "reference": (f"http://127.0.0.1:{REF_PORT}/ref/{account_id}", ()),
        "dashboard": (f"{app}/", (cookie,)),
        "api_accounts": (f"{app}/api/v1/accounts/", (auth,)),
        "history_page": (f"{app}/accounts/{account_id}/", (cookie,)),
        "api_transactions": (f"{app}/api/v1/accounts/{account_id}/transactions/", (auth,)),
    }
    deep = None
    if args.deep_account:
        national_id, deep_id, last_cursor, entries = deep_account()
        _session, deep_token, _ = credentials(national_id)
        deep_auth = f"Authorization: Token {deep_token}"
        base = f"{app}/api/v1/accounts/{deep_id}/transactions/"
        targets["deep_first_page"] = (base, (deep_auth,))
        targets["deep_last_page"] = (f"{base}?cursor={last_cursor}", (deep_auth,))
        deep = {"account": deep_id, "entries": entries}
    if args.only:
        targets = {k: v for k, v in targets.items() if k == "reference" or k in args.only}
    connection.close()

    servers = [
        start_server(APP_PORT, "sscard.settings", args.workers),
        start_server(REF_PORT, "bench.settings_reference", args.workers),
    ]
    results = {}
    try:
        for url, headers in targets.values():
            check(url, headers)
        for connections in args.connections:
            for name, (url, headers) in targets.items():
                run_wrk(url, connections, 2, headers)  # warm up
                results[f"{name}@{connections}"] = run_wrk(url, connections, args.duration, headers)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)

    OUT.mkdir(exist_ok=True)
    report = {
        "label": args.label,
        "database": os.environ.get("DATABASE_URL", ""),
        "machine": machine(),
        "workers": args.workers,
        "duration_s": args.duration,
        "national_id": args.national_id,
        "deep_account": deep,
        "results": results,
    }
    (OUT / f"http-{args.label}.json").write_text(json.dumps(report, indent=2))
    print(f"({args.label}) {args.workers} gunicorn sync workers, {args.duration}s per run")
    print("| target | conns | req/s | ratio | p50 ms | p99 ms | p99 ratio | non-2xx |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key, figures in results.items():
        name, connections = key.split("@")
        ref = results[f"reference@{connections}"]
        print(
            f"| {name} | {connections} | {figures['rps']:.0f} | "
            f"{figures['rps'] / ref['rps']:.2f} | {figures['p50_ms']:.1f} | "
            f"{figures['p99_ms']:.1f} | {figures['p99_ms'] / ref['p99_ms']:.2f} | "
            f"{figures['non_2xx']} |"
        )


if __name__ == "__main__":
    main()
