from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class EmployerConfig(AppConfig):
    name = "employer"
    verbose_name = _("Employers' pages")

    def ready(self):
        from employer.access import remember_employer

        user_logged_in.connect(remember_employer, dispatch_uid="employer-remember")
