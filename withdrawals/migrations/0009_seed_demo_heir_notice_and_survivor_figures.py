"""Illustrative demo figures, not official ones: the heir notice period of each demo
pooling region, and Shenzhen's survivor-benefit figures for the demo death claim."""

from datetime import date
from decimal import Decimal

from django.db import migrations

DEMO_REGIONS = ("110100", "310100", "320100", "440300", "510100")
NOTICE_SOURCE = (
    "DEMO: illustrative notice period of one year, as for unclaimed property; "
    "not a published local rule"
)
SURVIVOR_SOURCE = (
    "DEMO: illustrative Shenzhen figures in the structure of 人社部发〔2021〕18号; "
    "not the published income figure"
)


def seed(apps, schema_editor):
    Notice = apps.get_model("withdrawals", "HeirNoticePeriod")
    for region in DEMO_REGIONS:
        Notice.objects.get_or_create(
            region=region,
            effective_from=date(2020, 1, 1),
            defaults={"days": 365, "source": NOTICE_SOURCE, "illustrative": True},
        )
    Survivor = apps.get_model("withdrawals", "SurvivorBenefitParameters")
    Survivor.objects.get_or_create(
        region="440300",
        effective_from=date(2025, 1, 1),
        defaults={
            "monthly_disposable_income": Decimal("6000.00"),
            "funeral_grant_months": 2,
            "base_months": 9,
            "threshold_years": 15,
            "months_per_further_year": 0,
            "max_months": 9,
            "source": SURVIVOR_SOURCE,
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("withdrawals", "HeirNoticePeriod").objects.filter(illustrative=True).delete()
    apps.get_model("withdrawals", "SurvivorBenefitParameters").objects.filter(
        source=SURVIVOR_SOURCE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("withdrawals", "0008_heir_notice_periods_and_estates_without_heirs")]
    operations = [migrations.RunPython(seed, unseed)]
