from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = _("Benefits")

    def ready(self):
        from accounts import extensions
        from benefits import (
            notes,  # noqa: F401  (defines the kind's timeline notes)
            services,
        )
        from benefits.extensions import registration_panel
        from benefits.skill_selectors import qualification_lines
        from benefits.subsidy_payouts import SOURCE
        from casework import payout_files

        extensions.provide_dashboard_panel(registration_panel)
        extensions.provide_life_event_listener(services.on_life_event)
        extensions.provide_employer_contributions_listener(services.reemployment_detect)
        extensions.provide_record_lines(qualification_lines)
        payout_files.provide_source(SOURCE)
