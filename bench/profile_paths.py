"""CPU per request in process, and a cProfile of one path, with the servers' settings.

    .venv/bin/python bench/profile_paths.py --repeat 300 [--profile history_page]

Calls Django's test client (the whole middleware stack, no network) as the benchmark
servers are configured (bench/http_bench.py SERVER_ENV) and prints the process CPU per
request, best of three rounds, for each read path.
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import http_bench


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--national-id", default="110105198503150019")
    parser.add_argument("--profile", default=None, help="print a cProfile of this path")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime, …)")
    parser.add_argument("--lines", type=int, default=45, help="cProfile lines to print")
    parser.add_argument("--only", nargs="+", default=None, help="time only these paths")
    parser.add_argument(
        "--queries", action="store_true", help="print each path's SQL (a warm request)"
    )
    args = parser.parse_args()
    http_bench.django_setup()
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    session, token, account_id = http_bench.credentials(args.national_id)
    csrf_cookie = _get_new_csrf_string()
    paths = {
        # The bare reference view (bench/reference_urls.py, no middleware), for ratios.
        "reference": (f"/ref/{account_id}", {"reference": True}),
        "healthz": ("/healthz", {}),
        "dashboard": ("/", {"cookies": session}),
        "api_accounts": ("/api/v1/accounts/", {"token": token}),
        "history_page": (f"/accounts/{account_id}/", {"cookies": session}),
        "api_transactions": (f"/api/v1/accounts/{account_id}/transactions/", {"token": token}),
        "pension_page": ("/pension/forecast/", {"cookies": session}),
        "api_pension": ("/api/v1/pension/", {"token": token}),
        "unemployment_page": ("/unemployment/", {"cookies": session}),
        "api_unemployment": ("/api/v1/benefits/unemployment/", {"token": token}),
        "record_page": ("/record/", {"cookies": session}),
        "api_record": ("/api/v1/me/record/", {"token": token}),
    }
    if args.only:
        paths = {k: v for k, v in paths.items() if k in args.only or k == "reference"}
    reference = None
    for name, (path, how) in paths.items():
        overrides = override_settings(
            **(
                {"ROOT_URLCONF": "bench.reference_urls", "MIDDLEWARE": []}
                if "reference" in how
                else {}
            )
        )
        overrides.enable()
        client = Client(HTTP_HOST="127.0.0.1")
        headers = {}
        if "cookies" in how:
            # A browser sends its CSRF cookie with every page, as well as the session.
            client.cookies["sessionid"] = how["cookies"]
            client.cookies["csrftoken"] = csrf_cookie
        if "token" in how:
            headers["HTTP_AUTHORIZATION"] = f"Token {how['token']}"
        assert client.get(path, **headers).status_code == 200, name
        if args.queries:
            with CaptureQueriesContext(connection) as queries:
                client.get(path, **headers)
            print(f"{name}: {len(queries)} queries")
            for query in queries:
                print(f"    {query['sql'][:160]}")
        best = None
        for _round in range(3):
            start = time.process_time()
            for _ in range(args.repeat):
                client.get(path, **headers)
            took = (time.process_time() - start) / args.repeat * 1000
            best = took if best is None else min(best, took)
        reference = best if name == "reference" else reference
        ratio = f" (reference / this: {reference / best:.2f})" if reference else ""
        print(f"{name:18} {best:.3f} ms CPU per request{ratio}")
        if name == args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                client.get(path, **headers)
            profile.disable()
            pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)
        overrides.disable()


if __name__ == "__main__":
    main()
