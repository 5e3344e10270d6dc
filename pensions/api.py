"""/api/v1/pension/…: the caller's own pension forecast."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import cardholder_for_user
from core.errors import InvalidInput, NotFound
from pensions import selectors
from pensions.forms import AssumptionsForm


def _money(value):
    return f"{value:.2f}"


def forecast_body(result):
    pension = result.pension
    return {
        "retirement_date": result.retirement_date.isoformat(),
        "retirement_age_months": result.retirement_age_months,
        "contribution_months_so_far": result.months_so_far,
        "contribution_months_at_retirement": result.months_at_retirement,
        "minimum_contribution_months": result.minimum_months,
        "meets_minimum": result.meets_minimum,
        "balance_now": _money(result.balance_now),
        "balance_at_retirement": _money(pension.balance),
        "divisor": pension.divisor,
        "average_wage": _money(pension.average_wage),
        "indexed_wage": _money(pension.indexed_wage),
        "basic_monthly": _money(pension.basic),
        "personal_monthly": _money(pension.personal),
        "total_monthly": _money(pension.total),
        "one_more_year_adds": _money(result.one_more_year),
        "assumptions": {
            "wage_growth": f"{result.wage_growth * 100:.2f}",
            "crediting_rate": f"{result.crediting_rate * 100:.2f}",
            "todays_money": True,
        },
    }


class ForecastView(APIView):
    """The caller's estimated pension at the statutory date, in today's money."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        cardholder = cardholder_for_user(request.user)
        if cardholder is None:
            raise NotFound(field="cardholder")
        form = AssumptionsForm(request.query_params)
        if not form.is_valid():
            field, messages = next(iter(form.errors.items()))
            raise InvalidInput(messages[0], field=field)
        growth, rate = form.rates()
        result = selectors.forecast_for_cardholder(
            cardholder, today=timezone.localdate(), wage_growth=growth, crediting_rate=rate
        )
        return Response(forecast_body(result))


class PensionView(APIView):
    """The caller's pension: ``not_retired``, ``claim_pending`` while a retirement claim
    is open, ``in_payment`` with the award fixed at its approval (money as strings)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        cardholder = cardholder_for_user(request.user)
        if cardholder is None:
            raise NotFound(field="cardholder")
        return Response(selectors.pension_status(cardholder))
