"""Illustrative demo figures, not official ones: one row per year for the national
pooling region, between a demo minimum living standard and a demo minimum wage."""

from decimal import Decimal

from django.db import migrations

DEMO = {
    year: (Decimal("1800.00"), Decimal("1400.00"), Decimal("2500.00"))
    for year in (2025, 2026, 2027)
}


def seed(apps, schema_editor):
    Amount = apps.get_model("benefits", "RegionalBenefitAmount")
    for year, (amount, floor, wage) in DEMO.items():
        Amount.objects.get_or_create(
            region="000000",
            year=year,
            defaults={
                "monthly_amount": amount,
                "minimum_living_standard": floor,
                "minimum_wage": wage,
                "illustrative": True,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("benefits", "RegionalBenefitAmount").objects.filter(illustrative=True).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0002_regional_benefit_amount")]
    operations = [migrations.RunPython(seed, unseed)]
