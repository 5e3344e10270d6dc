from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WithdrawalsConfig(AppConfig):
    name = "withdrawals"
    verbose_name = _("Withdrawals")

    def ready(self):
        from functools import partial

        from django.contrib.auth.signals import user_logged_in

        from accounts import extensions, user_reads
        from withdrawals import notes  # noqa: F401  (defines the kind's timeline notes)
        from withdrawals.claims_about_me import count_at_login
        from withdrawals.estates import record_lines
        from withdrawals.extensions import claims_about_me_banner, own_account_rows
        from withdrawals.selectors import OPEN_CLAIM_COLUMNS, open_claim_sql

        extensions.provide_own_account_rows(own_account_rows)
        for column, flag in OPEN_CLAIM_COLUMNS.values():
            user_reads.user_column(column, partial(open_claim_sql, flag))
        extensions.provide_dashboard_banner(claims_about_me_banner)
        extensions.provide_record_lines(record_lines)
        user_logged_in.connect(count_at_login, dispatch_uid="withdrawals.claims_about_me")
