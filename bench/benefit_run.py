"""The monthly benefit run over N benefits in payment (PostgreSQL), with 1 and 2 workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_benefit_bench \\
        .venv/bin/python bench/benefit_run.py --benefits 200000

Creates N cardholders with `bench.population.generate` (no months of contributions),
each registered as unemployed with an unemployment benefit in payment from this month
(1,800.00 a month for 18 months, written straight into the tables as the approval
would leave them), opens every region's unemployment fund, then times:

- this month's run in one process (`payment_run.pay_month`, what `manage.py
  pay_benefits --month YYYY-MM` runs), and a second run, which must pay nothing;
- next month's run split over `--workers` processes (default 2), each taking every
  other id range as the Celery workers take the range tasks, and a second run.

The medical contribution the fund pays (Art. 48) is the national demo figure the data
migration seeds. Prints wall time, benefits a second, the load average before each run
and the peak RSS of each process. `--row-path` writes through the bulk writer's row
path instead of the set-based one; `--population-only` stops after the population (copy
the database as a template to time several runs on it); `--skip-population` times the
runs on what the database holds. Run `manage.py ledger_audit` afterwards.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTHLY = Decimal("1800.00")


def _claims(month, log):
    """A registration and a benefit in payment from `month` for every cardholder
    without one."""
    from django.db import connection, transaction

    from accounts import ledger

    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO benefits_unemploymentregistration (job_ended_on, how_ended,"
            " seeking_work, registered_on, created_at, cardholder_id)"
            " SELECT %s::date - 1, 'employer_terminated', true, %s::date - 1, now(), h.id"
            " FROM accounts_cardholder h WHERE h.user_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM benefits_unemploymentregistration r WHERE r.cardholder_id = h.id)",
            [month, month],
        )
        cursor.execute(
            "INSERT INTO casework_case (kind, reference, cardholder_id, applicant_id, status,"
            " rules_version, decision_stage, decision_codes, decisions, request_message,"
            " rejection_reason, created_at, updated_at, decided_at, review_attempts)"
            " SELECT 'unemployment', 'BU-' || h.id, h.id, h.user_id, 'in_payment', '', '',"
            " '[]', '[]', '', '', now(), now(), now(), 0"
            " FROM accounts_cardholder h WHERE h.user_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM casework_case c WHERE c.cardholder_id = h.id"
            "  AND c.kind = 'unemployment')"
        )
        cursor.execute(
            "INSERT INTO benefits_unemploymentclaim (case_ptr_id, contribution_months,"
            " carried_months, months_entitled, monthly_amount, amount_region, amount_year,"
            " starts_on, stop_reason, registration_id)"
            " SELECT c.id, 84, 0, 18, %s, h.region, %s, %s, '', r.id"
            " FROM casework_case c JOIN accounts_cardholder h ON h.id = c.cardholder_id"
            " JOIN benefits_unemploymentregistration r ON r.cardholder_id = h.id"
            " WHERE c.kind = 'unemployment' AND NOT EXISTS"
            " (SELECT 1 FROM benefits_unemploymentclaim u WHERE u.case_ptr_id = c.id)",
            [MONTHLY, month.year, month],
        )
        cursor.execute("SELECT DISTINCT region FROM accounts_cardholder")
        regions = [region for (region,) in cursor.fetchall()]
    for region in regions:
        ledger.fund_account_open("unemployment", region)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would leave them
    log(f"claims and funds ({len(regions)} regions): {time.monotonic() - started:.1f} s")


def _worker(month, ranges, out, force_rows):
    """One worker process: its share of the ranges, as the Celery tasks would run them."""
    import django

    django.setup()
    from accounts import ledger_bulk
    from benefits import payment_run

    plan = payment_run.run_plan(month)
    writer = ledger_bulk.BulkWriter(keep_tags=True)
    result = payment_run.RunResult()
    for first, stop in ranges:
        result.add(payment_run.pay_range(plan, first, stop, writer=writer, force_rows=force_rows))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((result.paid, result.already_paid, len(result.refused), peak))


def _split_run(month, workers, range_size, force_rows):
    from django.db import connections

    from benefits import payment_run

    plan = payment_run.run_plan(month, range_size=range_size)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    processes = [
        context.Process(target=_worker, args=(month, plan.ranges[n::workers], out, force_rows))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    results = [out.get() for _ in processes]
    for process in processes:
        process.join()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--benefits", type=int, default=200_000)
    parser.add_argument("--range-size", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-population", action="store_true")
    parser.add_argument("--population-only", action="store_true")
    parser.add_argument("--row-path", action="store_true")
    parser.add_argument("--one-worker-only", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from bench.population import generate
    from benefits import payment_run, selectors

    range_size = args.range_size or payment_run.RANGE_SIZE
    this_month = timezone.localdate().replace(day=1)
    next_month = selectors.add_months(this_month, 1)
    if not args.skip_population:
        started = time.monotonic()
        with transaction.atomic():
            generate(cardholders=args.benefits, months=0, settle_every=0)
        print(f"population: {time.monotonic() - started:.1f} s")
        _claims(this_month, print)
        if args.population_only:
            return
    claims = selectors.claims_in_payment().count()
    print(f"benefits in payment: {claims:,}; range size {range_size:,}")
    for label in ("1 worker, first run", "1 worker, second run"):
        print(f"load average {os.getloadavg()[0]:.1f}")
        started = time.monotonic()
        _plan, result = payment_run.pay_month(
            this_month, range_size=range_size, force_rows=args.row_path
        )
        elapsed = time.monotonic() - started
        print(
            f"{this_month:%Y-%m} {label}: {elapsed:.1f} s; paid {result.paid:,}, "
            f"already paid {result.already_paid:,}, refused {len(result.refused)}; "
            f"{claims / elapsed:,.0f} benefits/s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (1 worker, this process) {peak:.0f} MB")
    if args.one_worker_only:
        return
    for label in ("first run", "second run"):
        print(f"load average {os.getloadavg()[0]:.1f}")
        started = time.monotonic()
        results = _split_run(next_month, args.workers, range_size, args.row_path)
        elapsed = time.monotonic() - started
        paid = sum(r[0] for r in results)
        already = sum(r[1] for r in results)
        peaks = ", ".join(f"{r[3]:.0f}" for r in results)
        print(
            f"{next_month:%Y-%m} {args.workers} workers, {label}: {elapsed:.1f} s; paid "
            f"{paid:,}, already paid {already:,}; {claims / elapsed:,.0f} benefits/s; "
            f"peak RSS per worker {peaks} MB"
        )


if __name__ == "__main__":
    main()
