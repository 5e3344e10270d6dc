from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaternityConfig(AppConfig):
    name = "maternity"
    verbose_name = _("Maternity allowance")

    def ready(self):
        from maternity import notes  # noqa: F401  (defines the kind's timeline notes)
