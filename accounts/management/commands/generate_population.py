"""Generate a province-scale synthetic population for benchmarks (PostgreSQL; the code is
`bench/population.py`)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Create N cardholders (valid ID numbers, a login each, their seven accounts), "
        "employers, M months of contributions posted by the contribution rules and some "
        "medical settlements through the bulk ledger writer, in one transaction; the ledger passes "
        "ledger_audit afterwards. Optionally one cardholder with a very long history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cardholders", type=int, default=1_000)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--employers", type=int, default=None)
        parser.add_argument(
            "--settle-every",
            type=int,
            default=10,
            help="each month one cardholder in this many buys medicine (0: none)",
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--rebuild-indexes",
            choices=["auto", "yes", "no"],
            default="auto",
            help="drop and rebuild the ledger tables' indexes around the load "
            "(auto: when the load is larger than what the tables hold)",
        )
        parser.add_argument(
            "--deep-account-entries",
            type=int,
            default=0,
            help="also create one cardholder whose personal medical account has about "
            "this many entries",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_population needs PostgreSQL (set DATABASE_URL).")
        # The generator is benchmark code, imported only when it runs.
        from bench.population import generate, generate_deep_account

        def log(message):
            self.stdout.write(message)
            self.stdout.flush()

        if options["cardholders"] > 0:
            generate(
                cardholders=options["cardholders"],
                months=options["months"],
                employers=options["employers"],
                settle_every=options["settle_every"],
                seed=options["seed"],
                rebuild_indexes=options["rebuild_indexes"],
                log=log,
            )
        if options["deep_account_entries"]:
            generate_deep_account(entries=options["deep_account_entries"], log=log)
