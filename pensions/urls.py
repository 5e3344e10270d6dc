from django.urls import path

from pensions import living_check_views, views

app_name = "pensions"
urlpatterns = [
    path("forecast/", views.forecast, name="forecast"),
    path("apply/", views.apply, name="apply"),
    path("claim/", views.claim, name="claim"),
    path("claim/submit/", views.claim_submit, name="claim_submit"),
    path("claim/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claim/documents/", views.claim_upload, name="claim_upload"),
    path("claim/bank-account/", views.claim_bank_account, name="claim_bank_account"),
    path("living-check/", living_check_views.living_check, name="living_check"),
]
