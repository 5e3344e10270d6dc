"""Credit a complete year's interest on every personal account (SIL Art. 14)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import interest_service
from accounts.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Post one interest transaction per open personal account for a year that has "
        "ended, at that year's published rate. Safe to run again: what was posted is not "
        "posted twice. --queue splits the accounts into id ranges for the Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="the year to credit, e.g. 2024")
        parser.add_argument("--region", default=None, help="only this pooling region")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue one Celery task per id range instead of running here",
        )
        parser.add_argument("--range-size", type=int, default=interest_service.RANGE_SIZE)

    def handle(self, *args, year, region, queue, range_size, **options):
        if range_size < 1:
            raise CommandError("--range-size must be at least 1.")
        try:
            if queue:
                from accounts.tasks import interest_queue_year

                plan = interest_queue_year(year, region, range_size=range_size)
                self.stdout.write(
                    f"Queued {len(plan.ranges)} range(s) of accounts for interest {plan.year}."
                )
                return
            plan, result = interest_service.interest_credit_year(
                year, region, range_size=range_size
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}] Nothing was posted.") from None
        where = f" in region {plan.region}" if plan.region else ""
        if result.posted:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Posted interest {plan.year}{where} on {result.posted} account(s)."
                )
            )
        else:
            self.stdout.write(f"Nothing was posted: interest {plan.year}{where} is up to date.")
        self.stdout.write(
            f"Already posted before: {result.already_posted}; no interest due: "
            f"{result.nothing_due}."
        )
        if result.refused:
            raise CommandError(
                f"{len(result.refused)} account(s) refused: "
                + ", ".join(f"{pk} ({code})" for pk, code in result.refused[:20])
            )
