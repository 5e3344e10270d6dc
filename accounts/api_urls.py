"""The accounts app's endpoints of the REST API (mounted under /api/v1/)."""

from django.urls import path

from accounts import api, card_api, record_api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="token"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/record/", record_api.MeRecordView.as_view(), name="me-record"),
    path("me/card/", card_api.MeCardView.as_view(), name="me-card"),
    path(
        "me/card/lift-loss-report/",
        card_api.MeCardLiftView.as_view(),
        name="me-card-lift-loss-report",
    ),
    path("accounts/", api.AccountListView.as_view(), name="account-list"),
    path(
        "accounts/<int:pk>/transactions/",
        api.TransactionListView.as_view(),
        name="account-transactions",
    ),
    path("contributions/", api.ContributionListView.as_view(), name="contribution-list"),
    path("settlements/", api.SettlementCreateView.as_view(), name="settlement-create"),
]
