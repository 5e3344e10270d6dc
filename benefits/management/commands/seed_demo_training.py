"""The demo's training course; run by `seed_demo`."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from benefits import demo


class Command(BaseCommand):
    help = "Create (or move forward) the illustrative demo training course."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None)

    def handle(self, *args, today=None, **options):
        course = demo.seed_course(today or timezone.localdate())
        self.stdout.write(f"demo course: {course}")
