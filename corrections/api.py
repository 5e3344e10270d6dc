"""``/api/v1/me/record/corrections/``: asking to correct one's own record, and
following the requests."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import record_fields
from core.errors import NotFound
from corrections import selectors, services


class CorrectionRequestSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=sorted(record_fields.FIELDS))
    new_value = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=True)
    reason = serializers.CharField(max_length=services.MAX_REASON)
    kind = serializers.CharField(required=False, allow_blank=True, max_length=30)


class CorrectionListView(APIView):
    """``GET``: the caller's correction requests, newest first. ``POST`` (multipart):
    ``field`` (one of the record's identity fields), ``new_value``, ``reason`` and one
    or more ``file`` parts (the document showing the right value; ``kind`` optional,
    ``evidence`` by default). Without a file: 400 ``correction_no_evidence``."""

    @extend_schema(
        operation_id="me_record_corrections_list",
        responses={200: {"type": "array", "items": {"type": "object"}}},
    )
    def get(self, request):
        return Response(
            [selectors.correction_body(c) for c in selectors.corrections_for_user(request.user)]
        )

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        form = CorrectionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        case = services.correction_request(
            applicant=request.user,
            field=data["field"],
            new_value=data["new_value"],
            reason=data["reason"],
            files=request.FILES.getlist("file"),
            document_kind=data.get("kind", ""),
        )
        return Response(selectors.correction_body(case), status=status.HTTP_201_CREATED)


class CorrectionDetailView(APIView):
    """One of the caller's own correction requests."""

    @extend_schema(operation_id="me_record_corrections_detail", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        case = selectors.corrections_for_user(request.user).filter(pk=pk).first()
        if case is None:
            raise NotFound(field="correction")
        return Response(selectors.correction_body(case))
