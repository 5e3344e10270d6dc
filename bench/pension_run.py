"""The monthly pension run over N pensioners in payment (PostgreSQL), with 1 and 2 workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_pension_bench \\
        .venv/bin/python bench/pension_run.py --pensioners 50000

Creates N cardholders with `bench.population.generate` (no months of contributions),
credits each personal pension account once through the bulk ledger writer (one in ten
with less than a month's personal part, so the fund pays the rest), writes an approved
retirement claim in payment from this month for each (straight into the tables, as the
approval would leave them), opens every region's pension fund, then times:

- this month's run in one process (`payment_run.pension_pay_month`, what
  `manage.py pay_pensions --month YYYY-MM` runs), and a second run, which must pay
  nothing;
- next month's run split over `--workers` processes (default 2), each taking every
  other id range as a Celery worker would take the range tasks, and a second run.

Prints wall time, pensioners a second, the load average before each run and the peak
RSS of each process (`--profile N`: the N costliest functions of the 1-worker first
run, by own time, under cProfile, which slows it). Run
`manage.py ledger_audit` afterwards. `--skip-population` times the runs on what the
database holds (the months paid are then later ones).
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 20_000
BASIC, PERSONAL = Decimal("2100.00"), Decimal("900.00")


def _credit_pension_accounts(log):
    from django.db import connection

    from accounts import ledger, ledger_bulk
    from accounts.models import Account, LedgerTransaction

    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM accounts_account WHERE kind = 'personal' AND scheme = 'pension' "
            "AND NOT EXISTS (SELECT 1 FROM accounts_ledgerentry e "
            "WHERE e.account_id = accounts_account.id) ORDER BY id"
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    writer = ledger_bulk.BulkWriter()
    started = time.monotonic()
    when = datetime(2024, 6, 15, 2, tzinfo=UTC)
    for start in range(0, len(ids), CHUNK):
        groups = []
        for account_id in ids[start : start + CHUNK]:
            amount = Decimal("500.00") if account_id % 10 == 0 else Decimal("120000.00")
            posting = ledger_bulk.Posting(
                key=f"bench-pension-credit:{account_id}",
                kind=LedgerTransaction.Kind.CONTRIBUTION,
                legs=((received, -amount), (account_id, amount)),
                description="bench credit",
            )
            groups.append(ledger_bulk.Group(account_id, [posting]))
        writer.post(groups, posted_at=when)
    log(f"credits: {len(ids):,} accounts in {time.monotonic() - started:.1f} s")


def _claims(month, log):
    """An approved claim in payment from `month` for every cardholder without one."""
    from django.db import connection, transaction

    from accounts import ledger

    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO casework_case (kind, reference, cardholder_id, applicant_id, status,"
            " rules_version, decision_stage, decision_codes, decisions, request_message,"
            " rejection_reason, created_at, updated_at, decided_at, review_attempts)"
            " SELECT 'retirement', 'BR-' || h.id, h.id, h.user_id, 'approved', '', '',"
            " '[]', '[]', '', '', now(), now(), now(), 0"
            " FROM accounts_cardholder h WHERE h.user_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM casework_case c WHERE c.cardholder_id = h.id"
            "  AND c.kind = 'retirement')"
        )
        cursor.execute(
            "INSERT INTO pensions_retirementclaim (case_ptr_id, category, retirement_date,"
            " retirement_age_months, starts_on, contribution_months, average_wage_source,"
            " balance_at_retirement, divisor, basic_monthly, personal_monthly, bank_name,"
            " bank_account_holder, bank_account_number)"
            " SELECT c.id, 'male', %s, 720, %s, 360, 'bench', 120000, 139, %s, %s,"
            " 'Bank of Example', 'Bench Payee', '6222' || c.cardholder_id"
            " FROM casework_case c WHERE c.kind = 'retirement' AND NOT EXISTS"
            " (SELECT 1 FROM pensions_retirementclaim r WHERE r.case_ptr_id = c.id)",
            [month, month, BASIC, PERSONAL],
        )
        cursor.execute("SELECT DISTINCT region FROM accounts_cardholder")
        regions = [region for (region,) in cursor.fetchall()]
        # Every tenth pensioner is paid to the card's financial account.
        cursor.execute(
            "UPDATE accounts_cardholder SET card_financial_activated = true WHERE id % 10 = 3"
        )
    from pensions.models import RetireeMedicalRate

    for region in regions:
        ledger.fund_account_open("pension", region)
        # The run also credits retirees' medical accounts from the region's medical fund.
        ledger.fund_account_open("medical", region)
        RetireeMedicalRate.objects.get_or_create(
            region=region,
            from_month=date(2022, 1, 1),
            defaults={"amount": Decimal("70.00"), "source": "bench figure", "illustrative": True},
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would leave them
    log(f"claims and funds ({len(regions)} regions): {time.monotonic() - started:.1f} s")


def _worker(month, ranges, out, force_rows):
    """One worker process: its share of the ranges, as the Celery tasks would run them."""
    import django

    django.setup()
    from accounts import ledger_bulk
    from pensions import payment_run

    plan = payment_run.pension_run_plan(month)
    writer = ledger_bulk.BulkWriter(keep_tags=True)
    result = payment_run.RunResult()
    for first, stop in ranges:
        result.add(
            payment_run.pension_pay_range(plan, first, stop, writer=writer, force_rows=force_rows)
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((result.months_paid, result.already_paid, len(result.refused), peak))


def _split_run(month, workers, range_size, force_rows):
    from django.db import connections

    from pensions import payment_run

    plan = payment_run.pension_run_plan(month, range_size=range_size)
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
    parser.add_argument("--pensioners", type=int, default=50_000)
    parser.add_argument("--range-size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-population", action="store_true")
    parser.add_argument(
        "--row-path",
        action="store_true",
        help="write through the bulk writer's row path (COPY of drafted rows) instead of "
        "the set-based path, to compare the two on the same machine and load",
    )
    parser.add_argument(
        "--one-worker-only", action="store_true", help="skip the runs split over workers"
    )
    parser.add_argument(
        "--population-only",
        action="store_true",
        help="create the population and stop (copy the database as a template to time "
        "several runs on the same population)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="print this many lines of a cProfile (by own time) of the 1-worker first run",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from bench.population import generate
    from pensions import payment_run
    from pensions.models import PensionPayment, RetirementClaim

    this_month = timezone.localdate().replace(day=1)
    next_month = payment_run.payment_rules.month_of(
        payment_run.payment_rules.month_index(this_month) + 1
    )
    if not args.skip_population:
        started = time.monotonic()
        with transaction.atomic():
            generate(cardholders=args.pensioners, months=0, settle_every=0)
        print(f"population: {time.monotonic() - started:.1f} s")
        _credit_pension_accounts(print)
        _claims(this_month, print)
        if args.population_only:
            return
    else:
        done = PensionPayment.objects.order_by("-month").values_list("month", flat=True).first()
        if done is not None and done >= this_month:
            print("months already paid: run on a fresh population")
            return
    claims = RetirementClaim.objects.filter(status="approved").count()
    print(f"pensioners in payment: {claims:,}")
    for label in ("1 worker, first run", "1 worker, second run"):
        print(f"load average {os.getloadavg()[0]:.1f}")
        profiler = None
        if args.profile and label.endswith("first run"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.monotonic()
        _plan, result = payment_run.pension_pay_month(
            this_month, range_size=args.range_size, force_rows=args.row_path
        )
        elapsed = time.monotonic() - started
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        print(
            f"{this_month:%Y-%m} {label}: {elapsed:.1f} s; paid {result.months_paid:,}, "
            f"already paid {result.already_paid:,}, refused {len(result.refused)}, "
            f"medical credits {result.medical_credits:,}; "
            f"{claims / elapsed:,.0f} pensioners/s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (1 worker, this process) {peak:.0f} MB")
    if args.one_worker_only:
        return
    for label in ("first run", "second run"):
        print(f"load average {os.getloadavg()[0]:.1f}")
        started = time.monotonic()
        results = _split_run(next_month, args.workers, args.range_size, args.row_path)
        elapsed = time.monotonic() - started
        paid = sum(r[0] for r in results)
        already = sum(r[1] for r in results)
        peaks = ", ".join(f"{r[3]:.0f}" for r in results)
        print(
            f"{next_month:%Y-%m} {args.workers} workers, {label}: {elapsed:.1f} s; paid "
            f"{paid:,}, already paid {already:,}; {claims / elapsed:,.0f} pensioners/s; "
            f"peak RSS per worker {peaks} MB"
        )


if __name__ == "__main__":
    main()
