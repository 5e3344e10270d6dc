"""``GET /api/v1/me/record/``: the caller's own record (the page's facts, as JSON)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import record, selectors


class _Spell(serializers.Serializer):
    employer_name = serializers.CharField()
    credit_code = serializers.CharField()
    first_month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    last_month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    months = serializers.IntegerField()


class _Decision(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    on = serializers.DateField()
    reference = serializers.CharField()
    detail = serializers.CharField()


class RecordSerializer(serializers.Serializer):
    name = serializers.CharField()
    romanised_name = serializers.CharField()
    gender = serializers.CharField()
    date_of_birth = serializers.DateField()
    ethnicity = serializers.CharField()
    household_registration = serializers.CharField()
    masked_national_id = serializers.CharField()
    masked_card_number = serializers.CharField()
    card_status = serializers.CharField()
    financial_function_activated = serializers.BooleanField()
    employment_status = serializers.CharField()
    employment_history = _Spell(many=True)
    decisions = _Decision(many=True)


class MeRecordView(APIView):
    """Identity data, the card, and the employment history the contributions show."""

    @extend_schema(
        responses={
            200: RecordSerializer,
            404: inline_serializer("NoRecord", {"detail": serializers.CharField()}),
        }
    )
    def get(self, request):
        cardholder = selectors.cardholder_for_user(request.user)
        if cardholder is None:
            raise exceptions.NotFound()
        data = {
            **record.identity(cardholder),
            "employment_history": [
                {
                    **vars(spell),
                    "first_month": f"{spell.first_month:%Y-%m}",
                    "last_month": f"{spell.last_month:%Y-%m}",
                    "months": spell.months,
                }
                for spell in record.employment_history(cardholder)
            ],
            "decisions": [
                {**vars(line), "title": str(line.title)}
                for line in record.decisions_on_record(cardholder)
            ],
        }
        return Response(RecordSerializer(data).data)
