"""A minimal Django view that reads one row by primary key: the machine's ceiling."""

from django.http import JsonResponse
from django.urls import path

from accounts.models import Account


def one_row(request, pk):
    row = Account.objects.values("id", "scheme", "kind", "balance").get(pk=pk)
    row["balance"] = str(row["balance"])
    return JsonResponse(row)


urlpatterns = [path("ref/<int:pk>", one_row)]
