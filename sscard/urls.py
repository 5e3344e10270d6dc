from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from sscard.health import healthz
from sscard.security import StaffLoginForm

# The admin asks for a TOTP code at login and treats a staff session without one as
# not staff. Changing the class keeps the one site (its name, registrations and
# settings made by the apps' admin modules) and adds the second factor to it.
admin.site.__class__ = OTPAdminSite
admin.site.login_template = "admin/otp_login.html"
admin.site.login_form = StaffLoginForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("staff/", include("accounts.staff_urls")),
    path("api/", include("sscard.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("withdrawals/", include("withdrawals.urls")),
    path("verify/", include("verification.urls")),
    path("pension/", include("pensions.urls")),
    path("maternity/", include("maternity.urls")),
    path("unemployment/", include("benefits.urls")),
    path("training/", include("benefits.training_urls")),
    path("work-injury/", include("workinjury.urls")),
    path("card/replacement/", include("cards.urls")),
    path("record/corrections/", include("corrections.urls")),
    path("employer/", include("employer.urls")),
    path("", include("accounts.urls")),
]

handler403 = "accounts.views.error_403"
handler404 = "accounts.views.error_404"
handler500 = "accounts.views.error_500"
