"""Create (or show) a staff member's TOTP authenticator for the admin's second factor,
or issue the one-time code with which they set one up themselves."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.staff_otp import (
    ENROLMENT_CODE_HOURS,
    confirmed_device,
    enrolment_code_issue,
    secret_base32,
    totp_device_for,
)


class Command(BaseCommand):
    help = (
        "Give a staff user a confirmed TOTP device and print its secret and otpauth:// URI "
        "to hand over (in person) for their authenticator app. Prints the existing one "
        "unless --reset. With --enrolment-code, print a one-time code instead, with which "
        "they set up their first authenticator on /staff/authenticator/ themselves."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="issue a new secret")
        parser.add_argument("--secret", help="use this base32 secret (tests, demos)")
        parser.add_argument(
            "--enrolment-code",
            action="store_true",
            help=f"print a one-time enrolment code (valid {ENROLMENT_CODE_HOURS} hours)",
        )

    def handle(self, *args, username, reset=False, secret=None, enrolment_code=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff; only staff use the admin")
        if enrolment_code:
            if confirmed_device(user) is not None and not reset:
                raise CommandError(
                    f"{username!r} already has an authenticator; --reset issues a new secret"
                )
            code = enrolment_code_issue(user)
            self.stdout.write(f"Enrolment code for {username} (once, {ENROLMENT_CODE_HOURS} h):")
            self.stdout.write(f"  code    {code}")
            self.stdout.write("  page    /staff/authenticator/")
            return
        try:
            device = totp_device_for(user, secret=secret, confirmed=True, replace=reset)
        except ValueError as exc:
            raise CommandError(f"--secret: {exc}") from None
        self.stdout.write(f"TOTP for {username}:")
        self.stdout.write(f"  secret  {secret_base32(device)}")
        self.stdout.write(f"  uri     {device.config_url}")
        self.stdout.write(f"  check   oathtool --totp -b {secret_base32(device)}")
