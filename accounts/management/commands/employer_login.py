"""Let a login act for an employer: its pages under /employer/ and the employer role."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import employer_login_link
from core.errors import DomainError


class Command(BaseCommand):
    help = "Link USERNAME to the employer with CREDIT_CODE (an existing login)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("credit_code")

    def handle(self, username, credit_code, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no login is called {username}")
        try:
            link = employer_login_link(user=user, credit_code=credit_code)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"{username} acts for {link.employer}")
