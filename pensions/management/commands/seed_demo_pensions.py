"""The demo pensioners' claims and living checks; run by `seed_demo`."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from pensions import demo


class Command(BaseCommand):
    help = "Approve the demo pensioners' retirement claims and record their living checks."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None)

    def handle(self, *args, today=None, **options):
        made = demo.seed(today or timezone.localdate())
        for reference in made:
            self.stdout.write(f"pension in payment: {reference}")
