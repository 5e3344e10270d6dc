from rest_framework import serializers

from benefits.models import DocumentKind, UnemploymentRegistration


class RegistrationRequestSerializer(serializers.Serializer):
    job_ended_on = serializers.DateField(required=False, allow_null=True)
    how_ended = serializers.ChoiceField(choices=UnemploymentRegistration.HowEnded.choices)
    seeking_work = serializers.BooleanField()


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnemploymentRegistration
        fields = ["job_ended_on", "how_ended", "seeking_work", "registered_on"]


class ClaimDocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class ReemployedSerializer(serializers.Serializer):
    started_on = serializers.DateField(required=False, allow_null=True)
