"""The yearly interest run over N personal accounts (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_interest_bench \\
        .venv/bin/python bench/interest.py --accounts 1000000

Creates N / 2 cardholders with `bench.population.generate` (no months of contributions,
so it is quick), credits each of their two personal accounts once in June 2024 (or, with
`--months K`, once a month in the first K months of 2024) through the bulk ledger
writer, then times `interest_service.interest_credit_year(2024)` (what
`manage.py credit_interest --year 2024` runs) and a second run, which must post nothing.
`--skip-population` times the run on what the database holds. Run
`manage.py ledger_audit` afterwards.
"""

import argparse
import os
import resource
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 20_000


def _credit_openings(log, months):
    from django.db import connection

    from accounts import ledger, ledger_bulk
    from accounts.models import Account, LedgerTransaction

    received = ledger.system_account(Account.SystemCode.CONTRIBUTIONS_RECEIVED).pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM accounts_account WHERE kind = 'personal' AND NOT EXISTS "
            "(SELECT 1 FROM accounts_ledgerentry e WHERE e.account_id = accounts_account.id) "
            "ORDER BY id"
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    writer = ledger_bulk.BulkWriter()
    started = time.monotonic()
    for month in range(1, months + 1) if months else [6]:
        when = datetime(2024, month, 15, 2, tzinfo=UTC)
        for start in range(0, len(ids), CHUNK):
            groups = []
            for account_id in ids[start : start + CHUNK]:
                amount = Decimal(1000 + account_id % 50_000) / 10  # 100.00 … 5,099.90
                amount = amount.quantize(Decimal("0.01"))
                posting = ledger_bulk.Posting(
                    key=f"bench-credit:{account_id}:{month}",
                    kind=LedgerTransaction.Kind.CONTRIBUTION,
                    legs=((received, -amount), (account_id, amount)),
                    description="bench credit",
                )
                groups.append(ledger_bulk.Group(account_id, [posting]))
            writer.post(groups, posted_at=when)
    log(f"credits: {len(ids):,} accounts in {time.monotonic() - started:.1f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--range-size", type=int, default=70_000)
    parser.add_argument("--months", type=int, default=0, help="monthly credits in 2024")
    parser.add_argument("--skip-population", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction

    from accounts import interest_service
    from accounts.models import Account
    from bench.population import generate

    if not args.skip_population:
        started = time.monotonic()
        with transaction.atomic():
            generate(cardholders=args.accounts // 2, months=0, settle_every=0)
        print(f"population: {time.monotonic() - started:.1f} s")
        _credit_openings(print, args.months)
    personal = Account.objects.filter(kind="personal").count()
    print(f"personal accounts: {personal:,}")
    for label in ("first run", "second run"):
        started = time.monotonic()
        _plan, result = interest_service.interest_credit_year(2024, range_size=args.range_size)
        elapsed = time.monotonic() - started
        print(
            f"{label}: {elapsed:.1f} s; posted {result.posted:,}, already posted "
            f"{result.already_posted:,}, nothing due {result.nothing_due:,}, refused "
            f"{len(result.refused)}; {personal / elapsed:,.0f} accounts/s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
