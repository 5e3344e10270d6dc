"""Demo data for trying the application; safe to run again and again."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import demo
from accounts.staff_otp import totp_device_for

DEMO_PASSWORD = demo.DEMO_PASSWORD
# Staff reach the admin with a TOTP code. The demo's staff share this published
# secret so anyone trying the demo can compute codes: `oathtool --totp -b <secret>`.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


class Command(BaseCommand):
    help = (
        "Create the demo people, accounts, contributions, purchases and logins (idempotent). "
        "Refused with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo refuses to run with DJANGO_DEBUG off; pass --force")
        logins = demo.seed()
        width = max(len(username) for username, _who, _situation in logins)
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD} for every one):")
        for username, who, situation in logins:
            self.stdout.write(f"  {username:<{width}}  {who:<16}  {situation}")
        staff = get_user_model().objects.filter(is_staff=True, username__in=[r[0] for r in logins])
        for user in staff:
            totp_device_for(user, secret=DEMO_TOTP_SECRET, confirmed=True)
        self.stdout.write(
            f"Staff second factor (admin at /admin/): TOTP secret {DEMO_TOTP_SECRET}; "
            f"codes: oathtool --totp -b {DEMO_TOTP_SECRET}"
        )
