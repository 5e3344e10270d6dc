from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionsConfig(AppConfig):
    name = "pensions"
    verbose_name = _("Pensions")

    def ready(self):
        from accounts import extensions
        from pensions.selectors import pension_record_lines

        extensions.provide_record_lines(pension_record_lines)

        from casework import payout_files
        from pensions.payout_files import SOURCE

        payout_files.provide_source(SOURCE)
        from pensions import (  # noqa: F401
            living_check_tasks,  # the living check's Celery task
            notes,  # defines the kind's timeline notes
        )
