"""A minimal Django view that reads one row by primary key: the machine's ceiling."""

from django.http import HttpResponse, JsonResponse
from django.urls import path

from accounts.models import Account


def one_row(request, pk):
    row = Account.objects.values("id", "scheme", "kind", "balance").get(pk=pk)
    row["balance"] = str(row["balance"])
    return JsonResponse(row)


def healthz(request):
    # Only for the harness to see the server is up.
    return HttpResponse("ok")


urlpatterns = [path("ref/<int:pk>", one_row), path("healthz", healthz)]
