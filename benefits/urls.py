from django.urls import path

from benefits import views

app_name = "benefits"
urlpatterns = [
    path("", views.unemployment, name="unemployment"),
    path("register/", views.register, name="register"),
    path("claim/", views.claim_start, name="claim_start"),
    path("claim/documents/", views.claim_upload, name="claim_upload"),
    path("claim/submit/", views.claim_submit, name="claim_submit"),
    path("claim/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claim/reemployed/", views.claim_reemployed, name="claim_reemployed"),
]
