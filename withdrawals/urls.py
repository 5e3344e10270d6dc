from django.urls import path

from withdrawals import views

app_name = "withdrawals"
urlpatterns = [
    path("", views.index, name="index"),
    path("check/", views.check, name="check"),
    path("new/", views.new_heir, name="new"),
    path("new/emigration/", views.new_emigration, name="new_emigration"),
    path("new/details/", views.new_details, name="new_details"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/heirs/", views.heirs, name="heirs"),
    path("<int:pk>/heirs/bank/", views.heir_bank, name="heir_bank"),
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/documents/upload/", views.upload, name="upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/remove/",
        views.document_remove,
        name="document_remove",
    ),
    path("<int:pk>/bank/", views.bank, name="bank"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "<int:pk>/decision-letter.pdf",
        views.letter,
        {"doc": "decision_letter"},
        name="decision_letter",
    ),
    path(
        "<int:pk>/payout-receipt.pdf",
        views.letter,
        {"doc": "payout_receipt"},
        name="payout_receipt",
    ),
    path("documents/<int:document_pk>/", views.document_download, name="document_download"),
    path("about-me/", views.claims_about_me, name="claims_about_me"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/join/", views.join, name="join"),
    path("about-me/<int:pk>/contest/", views.claim_contest, name="claim_contest"),
]
