from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionsConfig(AppConfig):
    name = "pensions"
    verbose_name = _("Pensions")

    def ready(self):
        from pensions import notes  # noqa: F401  (defines the kind's timeline notes)
