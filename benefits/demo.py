"""The demo's training course (illustrative, labelled as such), which Sun Li 孙丽 can
apply for once she registers as unemployed; run by `seed_demo`."""

from datetime import timedelta
from decimal import Decimal

from benefits.models import TrainingCourse

DEMO_COURSE = {
    "title": "Data labelling and annotation (intermediate)",
    "provider_name": "海淀职业技能培训学校 Haidian Vocational Skills School (demo)",
    "provider_bank_name": "Bank of Beijing (demo)",
    "provider_account_number": "6222 0000 1100 0001 8",
    "region": "110100",
    "places": 20,
    "subsidy_amount": Decimal("1800.00"),
    "qualification": "Data labelling specialist, intermediate (national level 4)",
}


def seed_course(today):
    """The demo course, starting in three weeks and lasting six; a course of an older
    seed that has started since is moved forward again (it is demo data)."""
    starts_on = today + timedelta(days=21)
    ends_on = starts_on + timedelta(days=42)
    course = TrainingCourse.objects.filter(title=DEMO_COURSE["title"], illustrative=True).first()
    if course is None:
        return TrainingCourse.objects.create(
            **DEMO_COURSE, starts_on=starts_on, ends_on=ends_on, illustrative=True
        )
    if course.starts_on <= today:
        TrainingCourse.objects.filter(pk=course.pk).update(starts_on=starts_on, ends_on=ends_on)
        course.refresh_from_db()
    return course
