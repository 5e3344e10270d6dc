from django.core.management.base import BaseCommand

from core import signing


class Command(BaseCommand):
    help = "Print the public keys that check this installation's documents (to publish)."

    def handle(self, *args, **options):
        self.stdout.write(signing.published_keys_text(), ending="")
