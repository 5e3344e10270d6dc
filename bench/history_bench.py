"""First page vs last page of the longest history, through the selector (no HTTP).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_bench \\
        .venv/bin/python bench/history_bench.py --repeat 200

Finds the account generate_population --deep-account-entries made, then times
`selectors.account_history` (and `describe_entry` on every row, as the page does) for
the first page, a page in the middle and the last page, best and median of --repeat.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts import selectors
    from accounts.models import LedgerEntry
    from bench.http_bench import deep_account

    _national_id, account_id, last_cursor, entries = deep_account()
    account = selectors.Account.objects.select_related("cardholder").get(pk=account_id)
    ids = LedgerEntry.objects.filter(account_id=account_id).order_by("id")
    middle = ids.values_list("id", flat=True)[entries // 2]
    cursors = {
        "first": None,
        "middle": selectors.encode_cursor(middle),
        "last": last_cursor,
    }
    results = {}
    for name, cursor in cursors.items():
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            page = selectors.account_history(account, cursor=cursor, limit=20)
            for entry in page.entries:
                selectors.describe_entry(entry)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            page = selectors.account_history(account, cursor=cursor, limit=20)
            for entry in page.entries:
                selectors.describe_entry(entry)
        with connection.cursor() as db:
            db.execute("EXPLAIN (ANALYZE, BUFFERS) " + queries.captured_queries[0]["sql"])
            plan = [row[0] for row in db.fetchall()]
        results[name] = {
            "best_ms": round(min(timings), 3),
            "median_ms": round(statistics.median(timings), 3),
            "rows": len(page.entries),
            "has_more": page.has_more,
            "queries": len(queries),
            "plan": plan,
        }
    summary = {
        "account": account_id,
        "entries": entries,
        "pages": results,
        "last_over_first_median": round(
            results["last"]["median_ms"] / results["first"]["median_ms"], 2
        ),
    }
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "history.json").write_text(json.dumps(summary, indent=2))
    for name, figures in results.items():
        print(
            f"{name:>6}: best {figures['best_ms']:.2f} ms, median {figures['median_ms']:.2f} ms, "
            f"{figures['rows']} rows, {figures['queries']} queries"
        )
    print(f"entries: {entries:,}; last/first (median): {summary['last_over_first_median']}")


if __name__ == "__main__":
    main()
