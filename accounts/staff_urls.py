"""Staff pages outside the admin, mounted under /staff/ (names without a namespace)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("authenticator/", views.staff_totp, name="staff_totp"),
]
