from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WithdrawalsConfig(AppConfig):
    name = "withdrawals"
    verbose_name = _("Withdrawals")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from withdrawals.claims_about_me import count_at_login

        user_logged_in.connect(count_at_login, dispatch_uid="withdrawals.claims_about_me")
