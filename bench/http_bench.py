"""HTTP benchmark: the app's read paths against a bare reference view, same run.

Starts two servers on loopback with the same server kind, worker count and persistent
database connections — the app, and a reference that reads one row by primary key
and returns it as JSON with no middleware (bench/settings_reference.py) — logs in as a
person would (the login form for a session cookie, POST /api/v1/auth/token/ for the
API's token), checks that every target answers 200 with those credentials (a redirect
to the login page would look very fast), and runs wrk against each target for a
bounded time, the reference right before each target, so that every ratio compares
two runs taken seconds apart on a shared machine.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_bench \\
        .venv/bin/python bench/http_bench.py --duration 15 --connections 16 64 --label pop100k

Targets: the dashboard (session cookie), GET /api/v1/accounts/ (token), the first and
the last page of an account's history (page and API) and, with --deep-account, the
first and the last page of the longest account's history through the API. Results go
to bench/out/http-<label>.json and, with --results, as a table (with the command) to
bench/RESULTS.md. Loopback only; every wrk run stops by itself.
"""

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# The servers come from the environment running this script (a virtual environment
# anywhere, not necessarily inside the checkout).
BIN = Path(sys.executable).parent
APP_PORT, REF_PORT = 8801, 8802

SERVER_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "bench-" + "k" * 60,
    # The generated data was encrypted with the development keys (DEBUG on): keep them
    # readable, as a rotation would (docs/RELIABILITY.md, "Rotating the ID keys").
    "DJANGO_SECRET_KEY_FALLBACKS": "dev-only-insecure-key-do-not-use-in-production-0123456789",
    "SSCARD_PII_SALT_KEYS": "dev-only-pii-salt",
    "SSCARD_ID_HASH_KEY": "dev-only-id-hash-key",
    # The development document-signing seed (sscard/settings.py): nothing is signed here.
    "SSCARD_DOCUMENT_SIGNING_KEYS": "ab2iXDMTjmPIr1-N27OqBS13L6o3do29LWA0J22aS_w",
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


def login(base, national_id, password):
    """Log in as a person does: the login form (its CSRF cookie and token, then the
    POST) for a session cookie, and POST /api/v1/auth/token/ for the API's token.
    Returns the browser's cookie header (the session and the CSRF cookie, which a
    browser sends with every page) and the token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # Cookies are Secure with DEBUG off: the jar would not send them over http.
    cookies = {c.name: c.value for c in jar}
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": national_id, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/login/",
        data=body,
        headers={"Cookie": f"csrftoken={cookies['csrftoken']}", "Referer": f"{base}/login/"},
    )
    try:
        response = opener.open(request, timeout=30)
        status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        status, headers = exc.code, exc.headers
    set_cookies = " ".join(headers.get_all("Set-Cookie") or [])
    session = re.search(r"sessionid=([^;]+)", set_cookies)
    if status != 302 or session is None:
        raise SystemExit(f"login as {national_id[:6]}… failed ({status})")
    # Logging in renews the CSRF cookie.
    rotated = re.search(r"csrftoken=([^;]+)", set_cookies)
    csrf_cookie = rotated.group(1) if rotated else cookies["csrftoken"]
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": national_id, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    token = json.load(urllib.request.urlopen(request, timeout=30))["token"]  # noqa: S310
    return f"Cookie: csrftoken={csrf_cookie}; sessionid={session.group(1)}", token


def account_pages(national_id):
    """The id of the cardholder's personal pension account and the cursor of its last
    page (of 20): the entry just above the 20 oldest."""
    from accounts.models import Cardholder, LedgerEntry
    from accounts.pii import id_digest
    from accounts.selectors import encode_cursor

    cardholder = Cardholder.objects.get(user__username=id_digest(national_id))
    account = cardholder.accounts.filter(kind="personal").order_by("id").first()
    oldest = list(
        LedgerEntry.objects.filter(account=account).order_by("id").values_list("id", flat=True)[:21]
    )
    return account.pk, encode_cursor(oldest[-1])


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


def server_command(kind, port, workers, threads):
    """The command line of a server of `kind`: gunicorn's sync or gthread workers, or
    granian's WSGI interface (`workers` processes each way)."""
    if kind == "granian":
        return [
            str(BIN / "granian"),
            "--interface",
            "wsgi",
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-ws",
            "sscard.wsgi:application",
        ]
    command = [str(BIN / "gunicorn"), "sscard.wsgi", "-w", str(workers)]
    if kind == "gthread":
        command += ["-k", "gthread", "--threads", str(threads)]
    return [*command, "-b", f"127.0.0.1:{port}", "--log-level", "warning"]


def start_server(port, settings_module, workers, kind="sync", threads=4):
    env = {**os.environ, **SERVER_ENV, "DJANGO_SETTINGS_MODULE": settings_module}
    process = subprocess.Popen(server_command(kind, port, workers, threads), cwd=ROOT, env=env)
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
    # A long timeout: a slow answer counts in the latencies rather than as an error.
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    args.append("--latency")
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


def run_curl(url, connections, duration, headers=()):
    """The same figures as run_wrk from curl's parallel mode (one process, C, an event
    loop over `connections` transfers at a time), for a machine without wrk: a short
    run measures the rate, then that many requests per second for `duration` seconds
    are sent and each transfer's total time is read from curl's --write-out."""
    count = max(connections * 4, int(_curl_once(url, connections, connections * 8, headers)[0]))
    rps, times, codes = _curl_once(url, connections, count * duration, headers)
    times.sort()
    return {
        "rps": rps,
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
        "non_2xx": sum(1 for code in codes if not 200 <= code < 400),
        "timeouts": sum(1 for code in codes if code == 0),
    }


def _curl_once(url, connections, count, headers):
    """(requests per second, each transfer's seconds, each status) of `count` GETs."""
    config = OUT / "curl-urls.txt"
    OUT.mkdir(exist_ok=True)
    config.write_text(f'url = "{url}"\noutput = "/dev/null"\n' * count)
    args = ["curl", "--parallel", "--parallel-immediate", "--parallel-max", str(connections)]
    args += ["-s", "--max-time", "10", "-K", str(config), "-w", "%{http_code} %{time_total}\n"]
    for header in headers:
        args += ["-H", header]
    start = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    took = time.monotonic() - start
    lines = [line.split() for line in done.stdout.splitlines() if line.strip()]
    codes = [int(code) for code, _t in lines]
    return len(lines) / took, [float(t) for _c, t in lines], codes


def _median(key, runs):
    return statistics.median(run[key] for run in runs)


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
    parser.add_argument("--workers", type=int, default=2, help="server processes each")
    parser.add_argument(
        "--server",
        nargs="+",
        default=["sync"],
        choices=["sync", "gthread", "granian"],
        help="gunicorn sync or gthread workers, or granian (WSGI); several are run in turn",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread/granian worker")
    parser.add_argument("--national-id", default="110105198503150019", help="whose pages")
    parser.add_argument("--password", default="Demo-Pass-2026", help="their password")
    parser.add_argument("--deep-account", action="store_true", help="time first vs last page")
    parser.add_argument(
        "--only", nargs="+", default=None, help="run only these targets (and the reference)"
    )
    parser.add_argument(
        "--client",
        choices=["wrk", "curl"],
        default=None,
        help="load generator (default: wrk if installed, else curl --parallel)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure each target this many times, each right after its reference; "
        "the table gives the median of the rounds' ratios and their range",
    )
    parser.add_argument("--label", default="demo")
    parser.add_argument(
        "--results", action="store_true", help="append the table and command to bench/RESULTS.md"
    )
    args = parser.parse_args()
    client = args.client or ("wrk" if shutil.which("wrk") else "curl")
    if client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    load = run_wrk if client == "wrk" else run_curl

    django_setup()
    from django.db import connection

    account_id, last_cursor = account_pages(args.national_id)
    deep = None
    if args.deep_account:
        deep_national_id, deep_id, deep_cursor, entries = deep_account()
        deep = {"account": deep_id, "entries": entries}
    connection.close()

    app = f"http://127.0.0.1:{APP_PORT}"
    load_before = os.getloadavg()
    results = {}
    for kind in args.server:
        servers = [
            start_server(APP_PORT, "sscard.settings", args.workers, kind, args.threads),
            start_server(REF_PORT, "bench.settings_reference", args.workers, kind, args.threads),
        ]
        try:
            cookie, token = login(app, args.national_id, args.password)
            auth = f"Authorization: Token {token}"
            history = f"{app}/accounts/{account_id}/"
            transactions = f"{app}/api/v1/accounts/{account_id}/transactions/"
            targets = {
                "dashboard": (f"{app}/", (cookie,)),
                "api_accounts": (f"{app}/api/v1/accounts/", (auth,)),
                "history_first": (history, (cookie,)),
                "history_last": (f"{history}?cursor={last_cursor}", (cookie,)),
                "api_transactions_first": (transactions, (auth,)),
                "api_transactions_last": (f"{transactions}?cursor={last_cursor}", (auth,)),
                # The pension, unemployment and record sections, page and API.
                "pension_page": (f"{app}/pension/forecast/", (cookie,)),
                "api_pension": (f"{app}/api/v1/pension/", (auth,)),
                "unemployment_page": (f"{app}/unemployment/", (cookie,)),
                "api_unemployment": (f"{app}/api/v1/benefits/unemployment/", (auth,)),
                "record_page": (f"{app}/record/", (cookie,)),
                "api_record": (f"{app}/api/v1/me/record/", (auth,)),
            }
            if deep:
                # generate_population gives every login the same password.
                deep_cookie, deep_token = login(app, deep_national_id, "Bench-Pass-2026")
                base = f"{app}/api/v1/accounts/{deep['account']}/transactions/"
                deep_auth = (f"Authorization: Token {deep_token}",)
                page = f"{app}/accounts/{deep['account']}/"
                deep_cookie = (deep_cookie,)
                targets["deep_history_first"] = (page, deep_cookie)
                targets["deep_history_last"] = (f"{page}?cursor={deep_cursor}", deep_cookie)
                targets["deep_first_page"] = (base, deep_auth)
                targets["deep_last_page"] = (f"{base}?cursor={deep_cursor}", deep_auth)
            if args.only:
                targets = {k: v for k, v in targets.items() if k in args.only}
            reference = f"http://127.0.0.1:{REF_PORT}/ref/{account_id}"
            for url, headers in [*targets.values(), (reference, ())]:
                check(url, headers)
            for connections in args.connections:
                for name, (url, headers) in targets.items():
                    # The reference right before each target: the pair shares the
                    # machine's load of that moment.
                    for _round in range(args.rounds):
                        for what, (u, h) in (
                            ("reference", (reference, ())),
                            (name, (url, headers)),
                        ):
                            load(u, connections, 2, h)  # warm up
                            results.setdefault((kind, connections, name, what), []).append(
                                {
                                    **load(u, connections, args.duration, h),
                                    "loadavg": os.getloadavg()[0],
                                }
                            )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=20)

    OUT.mkdir(exist_ok=True)
    report = {
        "label": args.label,
        "database": os.environ.get("DATABASE_URL", ""),
        "machine": machine(),
        "loadavg_after": os.getloadavg(),
        "workers": args.workers,
        "threads": args.threads,
        "duration_s": args.duration,
        "national_id": args.national_id[:6] + "…",
        "deep_account": deep,
        "rounds": args.rounds,
        "results": [
            {"server": k[0], "connections": k[1], "target": k[2], "run": k[3], "round": i, **v}
            for k, rounds in results.items()
            for i, v in enumerate(rounds)
        ],
    }
    (OUT / f"http-{args.label}.json").write_text(json.dumps(report, indent=2))
    table = [
        "| server | target | conns | req/s | ref req/s | ratio | ratio range | p50 ms | p99 ms "
        "| ref p99 ms | p99 ratio | errors | load |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (kind, connections, name, what), rounds in results.items():
        if what == "reference":
            continue
        refs = results[(kind, connections, name, "reference")]
        ratios = [run["rps"] / ref["rps"] for run, ref in zip(rounds, refs, strict=True)]
        p99_ratios = [run["p99_ms"] / ref["p99_ms"] for run, ref in zip(rounds, refs, strict=True)]
        median = _median
        table.append(
            f"| {kind} | {name} | {connections} | {median('rps', rounds):.0f} | "
            f"{median('rps', refs):.0f} | {statistics.median(ratios):.2f} | "
            f"{min(ratios):.2f}–{max(ratios):.2f} | {median('p50_ms', rounds):.1f} | "
            f"{median('p99_ms', rounds):.1f} | {median('p99_ms', refs):.1f} | "
            f"{statistics.median(p99_ratios):.2f} | "
            f"{sum(run['non_2xx'] + run['timeouts'] for run in rounds)} | "
            f"{median('loadavg', rounds):.1f} |"
        )
    load = f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after"
    heading = (
        f"({args.label}) {args.workers} workers per server"
        f"{f', {args.threads} threads (gthread, granian)' if set(args.server) - {'sync'} else ''}, "
        f"{args.duration} s per run, the reference run right before each target"
        f"{f', {args.rounds} rounds (medians)' if args.rounds > 1 else ''}; {load}"
    )
    print(heading)
    print("\n".join(table))
    if args.results:
        command = " ".join(
            ["bench/http_bench.py", *[a if " " not in a else repr(a) for a in sys.argv[1:]]]
        )
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
        section = (
            f"\n### HTTP run `{args.label}` ({when}, database `{database}`)\n\n{heading}.\n\n"
            + "\n".join(table)
            + f"\n\n```sh\nDATABASE_URL=…/{database} .venv/bin/python {command}\n```\n"
        )
        with (ROOT / "bench" / "RESULTS.md").open("a") as results_md:
            results_md.write(section)


if __name__ == "__main__":
    main()
