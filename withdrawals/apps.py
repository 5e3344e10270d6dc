from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WithdrawalsConfig(AppConfig):
    name = "withdrawals"
    verbose_name = _("Withdrawals")

    def ready(self):
        from accounts import extensions
        from withdrawals import notes  # noqa: F401  (defines the kind's timeline notes)
        from withdrawals.extensions import own_account_rows

        extensions.provide_own_account_rows(own_account_rows)
