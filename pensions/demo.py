"""The demo's pensioners: Zhao Min and Liu Qiang claim their pension through the claim's
own services (started, checked, verified by the demo reviewer, approved by the demo
approver, so the award is computed from their record), then confirm their yearly living
check, online or through their son, every eleven months.

Run from `seed_demo` once their working years are posted; touches nothing that exists.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import Cardholder
from casework import services as casework
from casework import tasks as casework_tasks
from pensions import eligibility, living_check, living_check_services, retirement, services
from pensions.models import LivingCheckConfirmation, RetirementClaim


@dataclass(frozen=True)
class Pensioner:
    national_id: str
    category: str
    # The latest confirmation: this many days after "a year ago today" (so the check
    # runs out that many days from today).
    due_in_days: int
    relative: str  # who came to the service centre for them, some years


PENSIONERS = [
    # Zhao Min confirmed four months ago: current.
    Pensioner("510107195801200065", retirement.FEMALE_CADRE, 243, ""),
    # Liu Qiang's check runs out in 20 days: the reminder is due.
    Pensioner("440305195407110037", retirement.MALE, 20, "刘洋 Liu Yang (son)"),
]


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _claim(cardholder, pensioner, reviewer, approver):
    user = cardholder.user
    retires = retirement.retirement_date(cardholder.date_of_birth, pensioner.category)
    claim = services.retirement_claim_start(
        applicant=user, cardholder=cardholder, category=pensioner.category, today=retires
    )
    if pensioner.category == retirement.FEMALE_CADRE:
        casework.document_add(
            case=claim,
            kind=eligibility.CADRE_POST_PROOF,
            uploaded_file=SimpleUploadedFile(
                "cadre-post-certificate.pdf", _pdf(), content_type="application/pdf"
            ),
            uploader=user,
        )
    services.retirement_claim_submit(claim, actor=user, today=retires)
    # The document check, run here rather than after the seed's transaction.
    casework_tasks.review(claim.pk)
    claim.refresh_from_db()
    services.retirement_claim_verify(claim, actor=reviewer)
    services.retirement_claim_approve(claim, actor=approver, today=retires)
    claim.refresh_from_db()
    return claim


def _confirmations(claim, pensioner, reviewer, approver, today):
    """Yearly confirmations (every eleven months, so it never lapsed), the latest one
    fixing the due date `pensioner.due_in_days` from today."""
    latest = living_check.add_months(today, -living_check.VALID_MONTHS) + timedelta(
        days=pensioner.due_in_days
    )
    days = []
    day = latest
    while day >= claim.starts_on:
        days.append(day)
        day = living_check.add_months(day, -11)
    for n, day in enumerate(reversed(days)):
        if pensioner.relative and n % 3 == 1:
            name, _, relationship = pensioner.relative.rpartition(" (")
            record = living_check_services.living_check_relative_record(
                claim=claim,
                actor=reviewer,
                relative_name=name,
                relationship=relationship.rstrip(")"),
                proof="照片与当天报纸 Photo with the day's newspaper; video call with staff",
                seen_on=day,
                today=day,
            )
            living_check_services.living_check_relative_confirm(record, actor=approver)
        else:
            living_check_services.living_check_confirm_online(
                cardholder=claim.cardholder, actor=claim.applicant, today=day
            )


@transaction.atomic
def seed(today):
    """Claims and living checks for the demo pensioners that are missing. Returns the
    references of the claims made now."""
    users = get_user_model().objects
    reviewer = users.get(username="reviewer")
    approver = users.get(username="approver")
    made = []
    for pensioner in PENSIONERS:
        cardholder = (
            Cardholder.objects.with_national_id(pensioner.national_id)
            .select_related("user")
            .first()
        )
        if cardholder is None or cardholder.user is None:
            continue
        claim = RetirementClaim.objects.filter(cardholder=cardholder).first()
        if claim is None:
            if cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED:
                continue  # seeded before pensions were claimed: left as it is
            claim = _claim(cardholder, pensioner, reviewer, approver)
            made.append(claim.reference)
        if claim.status == claim.Status.APPROVED and not (
            LivingCheckConfirmation.objects.filter(claim=claim).exists()
        ):
            _confirmations(claim, pensioner, reviewer, approver, today)
    return made
