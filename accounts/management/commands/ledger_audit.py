"""Prove the ledger's invariants over the whole database."""

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import CHECKS, run_audit


class Command(BaseCommand):
    help = (
        "Check that every transaction balances, every account balance equals the sum of "
        "its entries, no holder account is negative and no closed account moved after "
        "closing. Exits non-zero naming every violation."
    )

    def handle(self, *args, **options):
        result = run_audit()
        checked = result.checked
        self.stdout.write(
            f"Checked {checked['transactions']} transactions, {checked['entries']} entries "
            f"and {checked['accounts']} accounts against {len(CHECKS)} rules."
        )
        if result.ok:
            self.stdout.write(self.style.SUCCESS("Ledger OK: no violations."))
            return
        raise CommandError(
            f"{len(result.violations)} ledger violation(s):\n"
            + "\n".join(str(v) for v in result.violations)
        )
