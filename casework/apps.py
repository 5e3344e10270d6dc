from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Cases")

    def ready(self):
        from accounts import extensions, user_reads
        from casework import in_progress
        from casework.extensions import cases_in_progress_panel

        extensions.provide_dashboard_panel(cases_in_progress_panel)
        user_reads.user_column(in_progress.COUNT_COLUMN, in_progress.count_sql)
