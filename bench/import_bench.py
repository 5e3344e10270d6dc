"""Write the payroll CSV for the import benchmark: one row per generated person and month.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sscard_bench \\
        .venv/bin/python bench/import_bench.py --months 10 --first 2025-01

100,000 generated people × 10 months = 1,000,000 rows, month-major (as monthly payrolls
arrive), employers round-robin, wages 3,000–40,000 yuan; months before the ones
generate_population posted, so every row posts all of its schemes. Then:

    /usr/bin/time -v .venv/bin/python manage.py import_contributions bench/out/payroll-1m.csv
"""

import argparse
import csv
import os
import random
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=10)
    parser.add_argument("--first", default="2025-01", help="first month, YYYY-MM")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "payroll-1m.csv"))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from accounts.importing import HEADER, month_range
    from accounts.models import Cardholder, Employer

    year, month = (int(part) for part in args.first.split("-"))
    months = month_range(date(year, month, 1), args.months)
    employers = list(
        Employer.objects.filter(name__startswith="Generated Employer")
        .order_by("id")
        .values_list("credit_code", flat=True)
    )
    people = list(
        Cardholder.objects.filter(card_number__startswith="G")
        .exclude(name__endswith="(long history)")
        .order_by("id")
        .values_list("id", "national_id")[: args.people]
    )
    rng = random.Random(7)
    wages = {pk: rng.randrange(300_000, 4_000_000) for pk, _ in people}
    rows = 0
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for first in months:
            for pk, national_id in people:
                wage = wages[pk]
                writer.writerow(
                    (
                        employers[pk % len(employers)],
                        national_id,
                        f"{first:%Y-%m}",
                        f"{wage // 100}.{wage % 100:02d}",
                    )
                )
                rows += 1
    print(f"{rows:,} rows → {args.out}")


if __name__ == "__main__":
    main()
