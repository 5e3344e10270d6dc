"""The labour-capacity appraisal (WIR Art. 21-28) and the benefits it fixes from the
worker's own wage (Art. 35-37, 64): every rule with its code, hand-computed amounts at
the wage bounds and for every grade, the re-appraisal and the review."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.models import Account, LedgerTransaction
from benefits.exceptions import MissingFigure
from casework.exceptions import AlreadyDecided, Forbidden
from tests.workinjury.conftest import REGION, TODAY, recognised, wages
from workinjury import appraisal_rules as r
from workinjury import services
from workinjury.exceptions import AppraisalRefused
from workinjury.models import InjuryRecognition, LabourCapacityAppraisal

pytestmark = pytest.mark.django_db

CONCLUDED = date(2026, 12, 10)


def fund_balance():
    return Account.objects.get(kind="system", system_code=f"fund_work_injury_{REGION}").balance


@pytest.fixture
def claim(gang, rita, dora, django_capture_on_commit_callbacks):
    wages(gang.cardholder, [Decimal("8000.00")] * 12)
    return recognised(gang, rita, dora, django_capture_on_commit_callbacks)


def apply(claim, user, **kwargs):
    values = {"condition_stable": True, "today": TODAY}
    values.update(kwargs)
    return services.appraisal_apply(claim, actor=user, **values)


def conclude(appraisal, actor, grade, self_care="none", today=CONCLUDED):
    return services.appraisal_conclude(
        appraisal, actor=actor, grade=grade, self_care=self_care, today=today
    )


# --- the pure rules ------------------------------------------------------------------


def check(**changes):
    facts = {
        "round": r.INITIAL,
        "today": TODAY,
        "recognised": True,
        "condition_stable": True,
    }
    facts.update(changes)
    r.check_application(**facts)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"recognised": False}, r.NO_RECOGNISED_INJURY),
        ({"condition_stable": False}, r.NOT_STABLE),
        ({"open_round": r.INITIAL}, r.ALREADY_OPEN),
        ({"last_round": r.INITIAL, "last_concluded_on": CONCLUDED}, r.ALREADY_APPRAISED),
        ({"round": r.REAPPRAISAL}, r.NOTHING_TO_CONTEST),
        ({"round": r.REVIEW}, r.NOTHING_TO_CONTEST),
        ({"round": "second opinion"}, r.ROUND_UNKNOWN),
        (
            {
                "round": r.REAPPRAISAL,
                "today": CONCLUDED + timedelta(days=16),
                "last_round": r.INITIAL,
                "last_concluded_on": CONCLUDED,
            },
            r.REAPPRAISAL_TOO_LATE,
        ),
        (
            {
                "round": r.REAPPRAISAL,
                "today": CONCLUDED + timedelta(days=1),
                "last_round": r.REAPPRAISAL,
                "last_concluded_on": CONCLUDED,
            },
            r.REAPPRAISAL_FINAL,
        ),
        (
            {
                "round": r.REVIEW,
                "today": date(2027, 12, 9),
                "last_round": r.INITIAL,
                "last_concluded_on": CONCLUDED,
            },
            r.REVIEW_TOO_EARLY,
        ),
    ],
)
def test_each_application_rule_refuses_with_its_code(changes, code):
    with pytest.raises(r.AppraisalRuleError) as refused:
        check(**changes)
    assert refused.value.code == code and code in r.BASIS


@pytest.mark.parametrize(
    ("round", "today"),
    [
        (r.REAPPRAISAL, CONCLUDED + timedelta(days=15)),
        (r.REVIEW, date(2027, 12, 10)),
    ],
)
def test_re_appraisal_to_the_15th_day_and_review_from_a_year_on(round, today):
    check(round=round, today=today, last_round=r.INITIAL, last_concluded_on=CONCLUDED)


def test_the_conclusion_is_due_in_60_days_extendable_by_30():
    assert r.conclude_by(date(2026, 1, 1)) == date(2026, 3, 2)
    assert r.conclude_by(date(2026, 1, 1), extended=True) == date(2026, 4, 1)


@pytest.mark.parametrize("grade", [0, 11, -1, "7.5", "seven", None, ""])
def test_a_grade_outside_1_to_10_is_refused(grade):
    with pytest.raises(r.AppraisalRuleError) as refused:
        r.check_conclusion(grade, r.SELF_CARE_NONE)
    assert refused.value.code == r.GRADE_INVALID


def test_the_self_care_level_is_one_of_art_22():
    assert r.check_conclusion("3", r.SELF_CARE_PARTIAL) == 3
    with pytest.raises(r.AppraisalRuleError, match=r.SELF_CARE_INVALID):
        r.check_conclusion(3, "sometimes")


# --- applying ----------------------------------------------------------------------------


def test_no_appraisal_without_a_recognised_injury(gang, django_capture_on_commit_callbacks):
    claim = services.recognition_start(
        applicant=gang, today=TODAY, accident_date=date(2026, 11, 1), description="Cut."
    )
    with pytest.raises(AppraisalRefused) as refused:
        apply(claim, gang)
    assert refused.value.code == r.NO_RECOGNISED_INJURY and refused.value.status == 409
    assert "Art. 21" in refused.value.legal_basis
    assert not LabourCapacityAppraisal.objects.exists()


def test_the_condition_must_be_stable(claim, gang):
    with pytest.raises(AppraisalRefused) as refused:
        apply(claim, gang, condition_stable=False)
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        r.NOT_STABLE,
        400,
        "condition_stable",
    )


def test_only_the_worker_or_the_filer_applies(claim, hal):
    with pytest.raises(Forbidden):
        apply(claim, hal)


def test_one_application_at_a_time(claim, gang):
    apply(claim, gang)
    with pytest.raises(AppraisalRefused) as refused:
        apply(claim, gang)
    assert refused.value.code == r.ALREADY_OPEN


# --- the conclusion and the benefits ---------------------------------------------------


def test_grade_7_pays_13_months_once_and_no_allowance(claim, gang, cora, mailoutbox):
    appraisal = apply(claim, gang)
    assert appraisal.reference.startswith("LA-2026-") and appraisal.status == "applied"
    assert appraisal.conclude_by == appraisal.submitted_at.date() + timedelta(days=60)
    conclude(appraisal, cora, 7)
    appraisal.refresh_from_db()
    assert (appraisal.status, appraisal.grade, appraisal.self_care) == ("concluded", 7, "none")
    # 12 × 8 000.00 → 8 000.00, inside 6 000.00 … 30 000.00; 13 × 8 000.00.
    assert appraisal.own_wage == Decimal("8000.00") and appraisal.bound_applied == ""
    assert appraisal.one_time_subsidy == Decimal("104000.00")
    assert appraisal.monthly_allowance == Decimal("0.00")
    assert appraisal.subsidy_paid == Decimal("104000.00")
    assert fund_balance() == Decimal("-104000.00")
    claim.refresh_from_db()
    assert (claim.grade, claim.own_wage, claim.one_time_subsidy, claim.allowance_from) == (
        7,
        Decimal("8000.00"),
        Decimal("104000.00"),
        None,
    )
    with pytest.raises(AlreadyDecided):
        conclude(appraisal, cora, 6)
    assert (
        LedgerTransaction.objects.filter(idempotency_key__startswith="injury-subsidy").count() == 1
    )


def test_only_the_committee_concludes(claim, gang, rita, dora):
    appraisal = apply(claim, gang)
    for staff in (rita, dora):
        with pytest.raises(Forbidden):
            conclude(appraisal, staff, 5)


@pytest.mark.parametrize("grade", [0, 11, "x"])
def test_the_committee_cannot_record_a_grade_outside_1_to_10(claim, gang, cora, grade):
    appraisal = apply(claim, gang)
    with pytest.raises(AppraisalRefused) as refused:
        conclude(appraisal, cora, grade)
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "injury_grade_invalid",
        400,
        "grade",
    )
    assert LabourCapacityAppraisal.objects.get(pk=appraisal.pk).status == "applied"


# Own wage 8 000.00: subsidy = months × 8 000.00; allowance = share × 8 000.00.
@pytest.mark.parametrize(
    ("grade", "subsidy", "allowance"),
    [
        (1, "216000.00", "7200.00"),
        (2, "200000.00", "6800.00"),
        (3, "184000.00", "6400.00"),
        (4, "168000.00", "6000.00"),
        (5, "144000.00", "0.00"),
        (6, "128000.00", "0.00"),
        (7, "104000.00", "0.00"),
        (8, "88000.00", "0.00"),
        (9, "72000.00", "0.00"),
        (10, "56000.00", "0.00"),
    ],
)
def test_every_grade(claim, gang, cora, grade, subsidy, allowance):
    appraisal = conclude(apply(claim, gang), cora, grade)
    assert appraisal.one_time_subsidy == Decimal(subsidy)
    assert appraisal.monthly_allowance == Decimal(allowance)
    claim.refresh_from_db()
    assert claim.monthly_allowance == Decimal(allowance)
    assert claim.allowance_from == (date(2027, 1, 1) if grade <= 4 else None)


# Regional average 10 000.00: bounds 6 000.00 and 30 000.00.
@pytest.mark.parametrize(
    ("wage", "own", "bound", "subsidy", "allowance"),
    [
        ("5999.99", "6000.00", "lower", "162000.00", "5400.00"),
        ("6000.00", "6000.00", "", "162000.00", "5400.00"),
        ("30000.00", "30000.00", "", "810000.00", "27000.00"),
        ("30000.01", "30000.00", "upper", "810000.00", "27000.00"),
        ("2000.00", "6000.00", "lower", "162000.00", "5400.00"),
    ],
)
def test_the_own_wage_is_bounded_to_60_and_300_percent(
    gang, rita, dora, cora, django_capture_on_commit_callbacks, wage, own, bound, subsidy, allowance
):
    wages(gang.cardholder, [Decimal(wage)] * 12)
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    appraisal = conclude(apply(claim, gang), cora, 1)
    assert (appraisal.own_wage, appraisal.bound_applied) == (Decimal(own), bound)
    assert appraisal.one_time_subsidy == Decimal(subsidy)
    assert appraisal.monthly_allowance == Decimal(allowance)


def test_the_own_wage_is_the_12_months_before_the_injury(
    gang, rita, dora, cora, django_capture_on_commit_callbacks
):
    # 13 months up to October 2026: the oldest (September 2025) does not count; the
    # injury month (November) would not either.
    wages(gang.cardholder, [Decimal("99999.00")] + [Decimal("9000.00")] * 12)
    wages_after = [Decimal("50000.00")]
    from tests.workinjury.conftest import wages as more

    more(gang.cardholder, wages_after, last=date(2026, 11, 1))
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    appraisal = conclude(apply(claim, gang), cora, 10)
    assert (appraisal.wage_months, appraisal.wage_average) == (12, Decimal("9000.00"))
    assert appraisal.one_time_subsidy == Decimal("63000.00")


def test_a_missing_regional_wage_refuses_and_names_it(claim, gang, cora, regional):
    regional.delete()
    appraisal = apply(claim, gang)
    with pytest.raises(MissingFigure) as missing:
        conclude(appraisal, cora, 7)
    assert missing.value.params == {
        "figure": "regional_average_wage",
        "region": REGION,
        "year": 2025,
    }
    assert "regional average monthly wage" in str(missing.value.message)
    assert LabourCapacityAppraisal.objects.get(pk=appraisal.pk).status == "applied"
    assert not LedgerTransaction.objects.filter(kind="benefit").exists()


def test_no_wage_on_record_refuses(gang, rita, dora, cora, django_capture_on_commit_callbacks):
    claim = recognised(gang, rita, dora, django_capture_on_commit_callbacks)
    with pytest.raises(AppraisalRefused) as refused:
        conclude(apply(claim, gang), cora, 7)
    assert refused.value.code == "injury_no_wage_record"


def test_a_missing_fund_refuses(claim, gang, cora):
    Account.objects.filter(system_code=f"fund_work_injury_{REGION}").delete()
    with pytest.raises(AppraisalRefused) as refused:
        conclude(apply(claim, gang), cora, 7)
    assert refused.value.code == "work_injury_fund_missing"


# --- re-appraisal and review --------------------------------------------------------------


def test_a_re_appraisal_within_15_days_tops_up_a_more_severe_grade(
    claim, gang, cora, nursing_rates, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = conclude(apply(claim, gang), cora, 7)
    assert "disability grade 7" in mailoutbox[-1].body and "15 days" in mailoutbox[-1].body
    assert first.reappraisal_by == CONCLUDED + timedelta(days=15)
    again = apply(claim, gang, round="reappraisal", today=CONCLUDED + timedelta(days=15))
    assert again.previous == first
    conclude(again, cora, 4, self_care="partial", today=date(2026, 12, 30))
    again.refresh_from_db()
    # 21 × 8 000.00 = 168 000.00, of which 104 000.00 was paid: 64 000.00 more.
    assert again.one_time_subsidy == Decimal("168000.00")
    assert again.subsidy_paid == Decimal("64000.00")
    assert again.monthly_allowance == Decimal("6000.00")
    assert fund_balance() == Decimal("-168000.00")
    claim.refresh_from_db()
    assert (claim.grade, claim.monthly_allowance, claim.allowance_from) == (
        4,
        Decimal("6000.00"),
        date(2027, 1, 1),
    )
    with pytest.raises(AppraisalRefused) as final:
        apply(claim, gang, round="reappraisal", today=date(2026, 12, 31))
    assert final.value.code == r.REAPPRAISAL_FINAL


def test_a_re_appraisal_after_15_days_is_refused(claim, gang, cora):
    conclude(apply(claim, gang), cora, 7)
    with pytest.raises(AppraisalRefused) as late:
        apply(claim, gang, round="reappraisal", today=CONCLUDED + timedelta(days=16))
    assert late.value.code == r.REAPPRAISAL_TOO_LATE
    assert "2026-12-25" in str(late.value.message)


def test_a_review_a_year_on_milder_grade_recovers_nothing_and_ends_the_allowance(claim, gang, cora):
    conclude(apply(claim, gang), cora, 3)
    with pytest.raises(AppraisalRefused) as early:
        apply(claim, gang, round="review", today=date(2027, 12, 9))
    assert early.value.code == r.REVIEW_TOO_EARLY
    review = apply(claim, gang, round="review", today=date(2027, 12, 10))
    conclude(review, cora, 6, today=date(2028, 1, 5))
    review.refresh_from_db()
    assert review.subsidy_paid is None and review.subsidy_transaction is None
    claim = InjuryRecognition.objects.get(pk=claim.pk)
    assert (claim.grade, claim.monthly_allowance, claim.allowance_from) == (
        6,
        Decimal("0.00"),
        None,
    )
    assert claim.one_time_subsidy == Decimal("184000.00")  # what was paid stays paid
    assert fund_balance() == Decimal("-184000.00")
