from django.urls import path

from maternity import views

app_name = "maternity"
urlpatterns = [
    path("", views.claim, name="claim"),
    path("apply/", views.apply, name="apply"),
    path("bank/", views.claim_bank, name="claim_bank"),
    path("submit/", views.claim_submit, name="claim_submit"),
    path("withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("documents/", views.claim_upload, name="claim_upload"),
]
