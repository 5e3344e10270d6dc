"""Cut the Regular weight of the PDF font from the packaged variable font, once."""

from django.core.management.base import BaseCommand

from core import pdf_fonts


class Command(BaseCommand):
    help = "Prepare the font the PDFs embed (var/fonts/NotoSansSC-Regular.ttf), if missing."

    def handle(self, *args, **options):
        existed = pdf_fonts.regular_font_path().exists()
        path = pdf_fonts.prepare()
        self.stdout.write(f"{'kept' if existed else 'prepared'} {path}")
