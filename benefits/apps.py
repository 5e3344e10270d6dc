from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = _("Benefits")

    def ready(self):
        from accounts import extensions
        from benefits.extensions import registration_panel

        extensions.provide_dashboard_panel(registration_panel)
