from rest_framework import serializers

from benefits.models import UnemploymentRegistration


class RegistrationRequestSerializer(serializers.Serializer):
    job_ended_on = serializers.DateField(required=False, allow_null=True)
    how_ended = serializers.ChoiceField(choices=UnemploymentRegistration.HowEnded.choices)
    seeking_work = serializers.BooleanField()


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnemploymentRegistration
        fields = ["job_ended_on", "how_ended", "seeking_work", "registered_on"]
