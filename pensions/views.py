"""The forecast page: thin over `pensions.selectors`."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import cardholder_for_user
from accounts.views import balance_chart
from core.errors import DomainError
from pensions import selectors
from pensions.forms import DEFAULT_CREDITING_RATE, DEFAULT_WAGE_GROWTH, AssumptionsForm


@login_required
def forecast(request):
    """Statutory date, contribution years, the estimated pension and its assumptions.
    The assumptions form is a GET form: it works without script."""
    cardholder = cardholder_for_user(request.user)
    if cardholder is None:
        raise Http404
    form = AssumptionsForm(request.GET or None)
    result = error = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        if not form.is_bound:
            form = AssumptionsForm(
                {"wage_growth": DEFAULT_WAGE_GROWTH, "crediting_rate": DEFAULT_CREDITING_RATE}
            )
            form.is_valid()
        growth, rate = form.rates()
        try:
            result = selectors.forecast_for_cardholder(
                cardholder, today=timezone.localdate(), wage_growth=growth, crediting_rate=rate
            )
        except DomainError as exc:
            error = exc.message
    chart = None
    if result is not None:
        chart = balance_chart({"pension": result.points})
    context = {"form": form, "result": result, "error": error, "chart": chart}
    return render(request, "pensions/forecast.html", context, status=status)
