from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkInjuryConfig(AppConfig):
    name = "workinjury"
    verbose_name = _("Work-injury recognition")

    def ready(self):
        from accounts import extensions
        from benefits import payment_run
        from casework import payout_files
        from workinjury import notes  # noqa: F401  (defines the kind's timeline notes)
        from workinjury.allowance_run import pay_allowances, pay_nursing_allowances
        from workinjury.death_services import pay_dependants_pensions
        from workinjury.selectors import recognised_injury_lines
        from workinjury.subsidy_payouts import SOURCE

        extensions.provide_record_lines(recognised_injury_lines)
        payment_run.provide_monthly_run(pay_allowances)
        payment_run.provide_monthly_run(pay_nursing_allowances)
        payment_run.provide_monthly_run(pay_dependants_pensions)
        payout_files.provide_source(SOURCE)
