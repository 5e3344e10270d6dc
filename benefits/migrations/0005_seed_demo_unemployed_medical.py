"""Illustrative demo figures, not official ones: the monthly medical contribution the
unemployment fund pays per person drawing benefit, for the national pooling region."""

from decimal import Decimal

from django.db import migrations

DEMO = {year: (Decimal("126.00"), Decimal("0.00")) for year in (2025, 2026, 2027)}


def seed(apps, schema_editor):
    Row = apps.get_model("benefits", "RegionalMedicalContribution")
    for year, (to_pooled, to_personal) in DEMO.items():
        Row.objects.get_or_create(
            region="000000",
            year=year,
            defaults={
                "to_pooled": to_pooled,
                "to_personal": to_personal,
                "source": "DEMO: illustrative figure, not an official one",
                "illustrative": True,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("benefits", "RegionalMedicalContribution").objects.filter(
        illustrative=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0004_unemployment_claim_and_payments")]
    operations = [migrations.RunPython(seed, unseed)]
