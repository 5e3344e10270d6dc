"""Pay a month of unemployment benefit, with the medical contribution (SIL Art. 46-48)."""

from django.core.management.base import BaseCommand, CommandError

from benefits import payment_run
from benefits.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Pay every unemployment benefit in payment once for a month from the region's "
        "unemployment fund, with the medical contribution the fund pays (SIL Art. 48). "
        "Safe to run again: a benefit-month is never paid twice. --queue splits the "
        "claims into id ranges for the Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month to pay, YYYY-MM")
        parser.add_argument("--region", default=None, help="only this pooling region")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue one Celery task per id range instead of running here",
        )
        parser.add_argument("--range-size", type=int, default=payment_run.RANGE_SIZE)

    def handle(self, *args, month, region, queue, range_size, **options):
        if range_size < 1:
            raise CommandError("--range-size must be at least 1.")
        try:
            if queue:
                from benefits.tasks import benefits_queue_month

                plan = benefits_queue_month(month, region, range_size=range_size)
                self.stdout.write(
                    f"Queued {len(plan.ranges)} range(s) of claims for {plan.month:%Y-%m}."
                )
                return
            plan, result = payment_run.pay_month(month, region, range_size=range_size)
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}] Nothing was paid.") from None
        label = f"{plan.month:%Y-%m}"
        if result.paid:
            self.stdout.write(
                self.style.SUCCESS(f"Paid {label} to {result.paid} benefit(s) with medical.")
            )
        else:
            self.stdout.write(f"Nothing was paid: {label} is up to date.")
        self.stdout.write(
            f"Already paid before: {result.already_paid}; not due: {result.not_due}; "
            f"last month paid: {result.exhausted}."
        )
        if result.refused:
            raise CommandError(
                f"{len(result.refused)} claim(s) refused: "
                + ", ".join(f"{pk} ({code})" for pk, code in result.refused[:20])
            )
