"""Illustrative demo figures, not regional ones: the national guidance amounts of the
skill-upgrade subsidy (primary 1,000, intermediate 1,500, advanced 2,000 yuan) entered
for each demo region. A region without its own rows refuses, naming the figure."""

from decimal import Decimal

from django.db import migrations

DEMO_REGIONS = ("110100", "310100", "320100", "440300", "510100")
GUIDANCE = {
    "primary": Decimal("1000.00"),
    "intermediate": Decimal("1500.00"),
    "advanced": Decimal("2000.00"),
}
SOURCE = "DEMO: national guidance amount (MOHRSS/MOF 2017), not a regional figure"


def seed(apps, schema_editor):
    Amount = apps.get_model("benefits", "SkillSubsidyAmount")
    for region in DEMO_REGIONS:
        for level, amount in GUIDANCE.items():
            Amount.objects.get_or_create(
                region=region,
                level=level,
                defaults={"amount": amount, "source": SOURCE, "illustrative": True},
            )


def unseed(apps, schema_editor):
    apps.get_model("benefits", "SkillSubsidyAmount").objects.filter(illustrative=True).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0006_skill_subsidy_training_and_qualifications")]
    operations = [migrations.RunPython(seed, unseed)]
