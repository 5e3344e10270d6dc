"""Demo data for trying the application; safe to run again and again."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "Demo-Pass-2026"  # noqa: S105 - published demo password


class Command(BaseCommand):
    help = "Create the demo logins and data (idempotent). Refused with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DJANGO_DEBUG off; pass --force")
        user_model = get_user_model()
        admin, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        self.stdout.write(f"demo login: admin / {DEMO_PASSWORD}")
