from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import profile_views, record_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("register/", views.register_start, name="register"),
    path("register/cardholder/", views.register_cardholder, name="register_cardholder"),
    path("register/heir/", views.register_heir, name="register_heir"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("contributions/", views.contributions, name="contributions"),
    path("record/", record_views.my_record, name="my_record"),
    path("contact/", profile_views.contact_details, name="contact_details"),
    path("statement/", views.statement_index, name="statement_index"),
    path("statement/<int:year>/", views.statement, name="statement"),
    path("statement/<int:year>.pdf", views.statement_pdf, name="statement_pdf"),
    path("card/", views.card, name="card"),
    path("card/report-lost/", views.card_report_lost, name="card_report_lost"),
    path("card/lift-loss-report/", views.card_lift_loss_report, name="card_lift_loss_report"),
]
