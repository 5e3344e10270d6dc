"""Pay a month's pensions to every pensioner in payment (SIL Art. 15–16)."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from pensions import payment_run, payout_files


class Command(BaseCommand):
    help = (
        "Pay one month's pension (and any released back pay) on every approved "
        "retirement claim in payment. Safe to run again: a month paid is not paid twice. "
        "--queue splits the claims into id ranges for the Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month to pay, YYYY-MM")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue one Celery task per id range instead of running here",
        )
        parser.add_argument("--range-size", type=int, default=payment_run.RANGE_SIZE)
        parser.add_argument(
            "--bank-file",
            default=None,
            help=(
                "after the run, write the pension lines to bank accounts not yet sent "
                "(this and earlier months, arrears, re-sendings) as the bank's batch CSV "
                "here, marking them sent"
            ),
        )

    def handle(self, *args, month, queue, range_size, bank_file, **options):
        if range_size < 1:
            raise CommandError("--range-size must be at least 1.")
        try:
            if queue:
                from pensions.tasks import pension_queue_month

                plan = pension_queue_month(month, range_size=range_size)
                self.stdout.write(
                    f"Queued {len(plan.ranges)} range(s) of claims for pensions {plan.month:%Y-%m}."
                )
                return
            plan, result = payment_run.pension_pay_month(month, range_size=range_size)
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}] Nothing was paid.") from None
        label = f"{plan.month:%Y-%m}"
        if result.months_paid:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Paid pensions {label}: {result.months_paid} month(s) to "
                    f"{result.claims_paid} pensioner(s), {result.back_pay_months} as back pay."
                )
            )
        else:
            self.stdout.write(f"Nothing was paid: pensions {label} are up to date.")
        self.stdout.write(
            f"Already paid before: {result.already_paid}; suspended (living check "
            f"lapsed): {result.suspended}; stopped (death): {result.stopped}."
        )
        self.stdout.write(
            f"Arrears of increases entered late: {result.arrears_paid}; months credited "
            f"to retirees' medical accounts: {result.medical_credits}."
        )
        if result.resent:
            self.stdout.write(
                f"Queued again after a corrected bank account: {result.resent} line(s)."
            )
        if bank_file:
            with open(bank_file, "w", encoding="utf-8", newline="") as fh:
                lines = payout_files.export_batch(fh)
            self.stdout.write(
                f"Wrote {len(lines)} payment line(s) to {bank_file}, marked sent to the bank."
            )
        if result.refused:
            raise CommandError(
                f"{len(result.refused)} pensioner(s) refused: "
                + ", ".join(f"claim {pk} ({code})" for pk, code in result.refused[:20])
            )
