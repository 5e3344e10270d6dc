"""The demo's estate without heirs; run by `seed_demo`."""

from django.core.management.base import BaseCommand

from withdrawals import demo


class Command(BaseCommand):
    help = "Record the verified death of the demo's person who left no heir."

    def handle(self, *args, **options):
        if demo.seed():
            self.stdout.write("death recorded: Huang Jianhua, card A10000012")
