"""Confirmations racing on PostgreSQL: the claim's row lock serialises them, so the
due date is the same whichever wins, and one day holds one confirmation."""

from datetime import date

import pytest

from pensions import living_check_services, selectors
from pensions.models import LivingCheckConfirmation, RetirementClaim
from tests.pensions.conftest import pension_staff
from tests.pensions.test_living_check_flow import claim  # noqa: F401  (fixture)
from tests.reliability.conftest import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_online_confirmations_at_once_make_one(claim):  # noqa: F811
    holder = claim.cardholder

    def confirm(n):
        return living_check_services.living_check_confirm_online(
            cardholder=holder, actor=claim.applicant, today=date(2027, 7, 5)
        ).pk

    results = run_at_once(confirm, 2, threads=2)
    assert len(set(results)) == 1, results
    assert LivingCheckConfirmation.objects.count() == 1
    assert selectors.living_check_due(claim) == date(2028, 7, 5)


def test_an_online_and_a_relative_s_confirmation_racing_agree_on_the_due_date(claim):  # noqa: F811
    lena = pension_staff("lena", "record_livingcheck")
    omar = pension_staff("omar", "confirm_livingcheck")
    record = living_check_services.living_check_relative_record(
        claim=claim,
        actor=lena,
        relative_name="Sun Mei",
        relationship="daughter",
        proof="photo with today's paper",
        seen_on=date(2027, 7, 3),
        today=date(2027, 7, 3),
    )

    def confirm(n):
        if n == 0:
            return living_check_services.living_check_confirm_online(
                cardholder=claim.cardholder, actor=claim.applicant, today=date(2027, 7, 5)
            ).pk
        return living_check_services.living_check_relative_confirm(record, actor=omar).pk

    results = run_at_once(confirm, 2, threads=2)
    assert all(isinstance(pk, int) for pk in results), results
    rows = list(LivingCheckConfirmation.objects.order_by("pk"))
    assert len(rows) == 2
    # Whichever came second saw the first one's due date.
    assert rows[1].due_before == rows[0].next_due
    claim = RetirementClaim.objects.get(pk=claim.pk)
    assert selectors.living_check_due(claim) == date(2028, 7, 5)
