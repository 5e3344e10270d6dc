"""The "My record" page: what the card records about the person, to check and correct."""

from django.shortcuts import render

from accounts import record
from accounts.views import cardholder_required


@cardholder_required
def my_record(request, cardholder):
    context = {
        "person": record.identity(cardholder),
        "history": record.employment_history(cardholder),
        "decisions": record.decisions_on_record(cardholder),
    }
    return render(request, "accounts/record.html", context)
