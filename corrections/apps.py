from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrectionsConfig(AppConfig):
    name = "corrections"
    verbose_name = _("Record corrections")

    def ready(self):
        from accounts import extensions
        from corrections import notes  # noqa: F401  (defines the kind's timeline notes)
        from corrections.selectors import corrected_record_lines

        extensions.provide_record_lines(corrected_record_lines)
