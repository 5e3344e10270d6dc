"""One range of the monthly pension run under cProfile, with the time of every SQL
statement it sends (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_pension_bench \\
        .venv/bin/python bench/pension_range_profile.py --lines 30

Run on a population made by `bench/pension_run.py --population-only`: pays this
month on the first id range of claims (`--range-size`, default 10,000) in this
process, prints the costliest functions by own time and by cumulative time, then the
statements grouped by their first words with their count and total time. Nothing else
runs in the range's transaction; a second run of the same range pays nothing and is
profiled the same way with `--again`.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--range-size", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--again", action="store_true", help="profile the range a second time")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from pensions import payment_run

    month = timezone.localdate().replace(day=1)
    plan = payment_run.pension_run_plan(month, range_size=args.range_size)
    first, stop = plan.ranges[0]
    statements = defaultdict(lambda: [0, 0.0])

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements[" ".join(sql.split()[:6])[:90]]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    for label in ("first run", "second run") if args.again else ("first run",):
        statements.clear()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            profiler.enable()
            result = payment_run.pension_pay_range(plan, first, stop)
            profiler.disable()
        elapsed = time.perf_counter() - started
        print(
            f"range [{first}, {stop}) {label}: {elapsed:.2f} s under cProfile; paid "
            f"{result.months_paid:,}, medical credits {result.medical_credits:,}, already "
            f"paid {result.already_paid:,}; load average {os.getloadavg()[0]:.1f}"
        )
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.lines)
        stats.sort_stats("cumulative").print_stats(args.lines)
        print("SQL statements (count, seconds), COPYs excluded (they go to the raw cursor):")
        for sql, (count, seconds) in sorted(statements.items(), key=lambda item: -item[1][1]):
            print(f"{count:5d} {seconds:7.3f}  {sql}")


if __name__ == "__main__":
    main()
