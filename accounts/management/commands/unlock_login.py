"""Lift django-axes' lock-out of a login, typed as people type it: an ID number
(spaces, full-width digits, a lower-case x) or a staff username."""

from axes.utils import reset
from django.core.management.base import BaseCommand

from accounts import ratelimit
from accounts.pii import login_usernames


class Command(BaseCommand):
    help = (
        "Unlock logins locked out after failed attempts. Give the ID number as typed (it "
        "is mapped to the stored digest, as axes_reset_username would need) or a staff "
        "username; --address also clears that address's failure count."
    )

    def add_arguments(self, parser):
        parser.add_argument("login", nargs="*", help="ID number or staff username")
        parser.add_argument("--address", action="append", default=[], help="client address")

    def handle(self, *args, login, address, **options):
        total = 0
        for typed in login:
            count = sum(reset(username=username) for username in login_usernames(typed))
            total += count
            # Never echo an ID number: say which argument it was.
            self.stdout.write(
                f"login #{login.index(typed) + 1}: {count} lock-out record(s) removed"
            )
        for ip in address:
            count = reset(ip=ip)
            ratelimit.reset(ratelimit.LOGIN_FAILURES, ip, ratelimit.login_failure_rate())
            total += count
            self.stdout.write(f"address {ip}: {count} lock-out record(s) removed")
        self.stdout.write(f"{total} in all")
