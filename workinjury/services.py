"""Every write of work-injury recognition: one function per use case, one transaction.

Status changes go through `casework.services.case_transition`. The worker's row is
locked first, then the recognition's. When someone other than the worker files (a close
relative, or staff on the employer's behalf) the worker is told at once (RULES §9).
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts import ledger
from accounts.models import Account, Cardholder, Contribution, LedgerTransaction, Scheme
from accounts.selectors import employer_for_user
from benefits import work_injury_rules as rules
from benefits.exceptions import MissingFigure
from casework import notes, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition, SamePerson
from core.errors import InvalidInput, NotFound
from workinjury import appraisal_rules, eligibility, nursing_rules, selectors, subsidy_payouts
from workinjury import notes as injury_notes
from workinjury.exceptions import AppraisalRefused, NursingRateMissing, RecognitionRefused
from workinjury.models import (
    APPRAISAL_WORKFLOW,
    CONCLUDE,
    WORKFLOW,
    Filer,
    InjuryRecognition,
    LabourCapacityAppraisal,
)

MAX_DESCRIPTION = 2000


def _today(today):
    return today or timezone.localdate()


def _lock(claim):
    return InjuryRecognition.objects.select_for_update().get(pk=claim.pk)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


def worker_identify(*, national_id, name):
    """The worker a relative or the employer names: ID number and name must both match.
    NotFound otherwise, whichever is wrong."""
    number = str(national_id or "").strip().upper()
    cardholder = Cardholder.objects.with_national_id(number).first() if number else None
    if cardholder is None or not cardholder.matches_name(str(name or "")):
        raise NotFound(
            _("No insured person has this ID number and name."), field="worker_national_id"
        )
    return cardholder


def _tell_worker(claim, cardholder):
    """The worker learns of a recognition someone else filed about them."""
    user = cardholder.user
    if user is None or not user.email:
        return
    language = user.preferred_language or "zh-hans"
    with override(language):
        subject = _("A work-injury recognition was filed about you")
        body = _(
            "A work-injury recognition (%(reference)s) for the accident of %(date)s was "
            "filed about you by %(filer)s. Sign in to follow it; if it is not right, "
            "tell the service centre."
        ) % {
            "reference": claim.reference,
            "date": claim.accident_date.isoformat(),
            "filer": claim.get_filer_display(),
        }
    transaction.on_commit(
        lambda: send_mail(
            f"[{claim.reference}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [user.email]
        )
    )


def _employs(employer, cardholder):
    """Has the employer paid contributions for the worker (the payroll shows the
    labour relationship)?"""
    return Contribution.objects.filter(cardholder=cardholder, employer=employer).exists()


@transaction.atomic
def recognition_start(
    *,
    applicant,
    accident_date,
    description,
    filer=Filer.WORKER,
    relationship="",
    worker_national_id="",
    worker_name="",
    today=None,
):
    """File a recognition (a draft, reference WI-YYYY-NNNNNN): the worker for themself,
    a close relative naming the worker, staff holding `file_for_employer` on the
    employer's behalf, or the employer's own login for a worker it pays contributions
    for (recorded as the recognition's employer). Refused with every reason unless the
    time limit for that filer holds (WIR Art. 17) and no recognition of the same
    accident is open."""
    if filer not in Filer.values:
        raise InvalidInput(
            _("Say who files: the worker, a close relative or the employer."),
            code=eligibility.FILER_UNKNOWN,
            field="filer",
        )
    text = str(description or "").strip()
    if not text or len(text) > MAX_DESCRIPTION:
        raise InvalidInput(
            _("Say what happened, in at most %(n)d characters.") % {"n": MAX_DESCRIPTION},
            code="required",
            field="description",
        )
    if accident_date is None:
        raise InvalidInput(_("Give the date of the accident."), code="required", field="date")
    if filer == Filer.WORKER:
        cardholder = Cardholder.objects.filter(user_id=getattr(applicant, "pk", None)).first()
        if cardholder is None:
            raise NotFound(field="cardholder")
    else:
        if filer == Filer.EMPLOYER:
            _require_perm(applicant, "file_for_employer")
        elif not str(relationship or "").strip():
            raise InvalidInput(
                _("Say how you are related to the worker."), code="required", field="relationship"
            )
        cardholder = worker_identify(national_id=worker_national_id, name=worker_name)
        if cardholder.user_id == applicant.pk:
            raise InvalidInput(
                _("File for yourself as the worker."), code="invalid_choice", field="filer"
            )
    # A login acting for an employer files for that employer's own workers only.
    acting_for = employer_for_user(applicant) if filer == Filer.EMPLOYER else None
    if acting_for is not None and not _employs(acting_for, cardholder):
        raise NotFound(
            _("No insured person has this ID number and name."), field="worker_national_id"
        )
    cardholder = Cardholder.objects.select_for_update().get(pk=cardholder.pk)
    decision = eligibility.evaluate(
        selectors.recognition_facts(
            cardholder,
            stage=eligibility.APPLICATION,
            today=_today(today),
            accident_date=accident_date,
            filer=filer,
        )
    )
    if not decision.allowed:
        raise RecognitionRefused(decision)
    employer_id = (
        acting_for.pk
        if acting_for is not None
        else Contribution.objects.filter(cardholder=cardholder, employer__isnull=False)
        .order_by("-month")
        .values_list("employer_id", flat=True)
        .first()
    )
    claim = InjuryRecognition(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        accident_date=accident_date,
        filer=filer,
        relationship=str(relationship or "").strip()[:40],
        description=text,
        employer_id=employer_id,
    )
    for name, value in casework.decision_fields(claim, eligibility.APPLICATION, decision).items():
        setattr(claim, name, value)
    claim.save()
    claim.reference = f"WI-{timezone.localdate(claim.created_at).year}-{claim.pk:06d}"
    InjuryRecognition.objects.filter(pk=claim.pk).update(reference=claim.reference)
    casework.case_started(claim, applicant)
    if filer != Filer.WORKER:
        casework.case_note(claim, applicant, notes.note(injury_notes.FILED_FOR_WORKER, filer=filer))
        _tell_worker(claim, cardholder)
    return claim


def recognition_submit(claim, *, actor, today=None):
    """Send the recognition for the document check: the materials of WIR Art. 18 and
    the time limit, counted to the day of the first submission."""
    casework.require_applicant(claim, actor)
    try:
        with transaction.atomic():
            cardholder = Cardholder.objects.select_for_update().get(pk=claim.cardholder_id)
            locked = _lock(claim)
            if not locked.allows(workflow.SUBMIT):
                raise IllegalTransition()
            decision = eligibility.evaluate(
                selectors.recognition_facts(
                    cardholder,
                    stage=eligibility.SUBMISSION,
                    today=_today(today),
                    accident_date=locked.accident_date,
                    filer=locked.filer,
                    claim=locked,
                )
            )
            if not decision.allowed:
                raise RecognitionRefused(decision)
            now = timezone.now()
            fields = casework.decision_fields(locked, eligibility.SUBMISSION, decision)
            fields.update(review_queued_at=now, review_attempts=0, request_message="")
            if locked.submitted_at is None:
                fields["submitted_at"] = now
            casework.case_transition(
                locked, workflow.SUBMIT, actor=actor, note=notes.note(notes.SUBMITTED), **fields
            )
            casework.queue_review(locked)
    except RecognitionRefused as exc:
        casework.decision_save_refusal(claim.pk, eligibility.SUBMISSION, exc.decision)
        raise
    casework.copy_into(locked, claim)
    return claim


def recognition_withdraw(claim, *, actor):
    """The applicant takes the claim back, any time before the decision."""
    return casework.case_withdraw(claim, actor=actor)


# --- staff ---------------------------------------------------------------------------


def recognition_verify(claim, *, actor, ip_address=None):
    """A reviewer records that the labour relationship and the diagnosis were checked;
    who recognises the injury must be someone else."""
    return casework.case_verify(
        claim,
        actor=actor,
        perm="review_injuryrecognition",
        note=notes.note(injury_notes.VERIFIED),
        ip_address=ip_address,
    )


def recognition_request_documents(claim, *, actor, message, ip_address=None):
    """A reviewer asks the applicant for documents, with a message they read."""
    return casework.case_request_documents(
        claim, actor=actor, perm="review_injuryrecognition", message=message, ip_address=ip_address
    )


def recognition_reject(claim, *, actor, code, reason, ip_address=None):
    """Not recognised, naming the rule (an exclusion of WIR Art. 16, or not work-related
    under Art. 14-15) and the reason the applicant reads."""
    if code not in eligibility.REFUSAL_CODES:
        raise InvalidInput(
            _("Choose the rule the decision rests on."), code="invalid_choice", field="code"
        )
    return casework.case_reject(
        claim,
        actor=actor,
        perm="review_injuryrecognition",
        reason=reason,
        ip_address=ip_address,
        refusal_code=code,
    )


@transaction.atomic
def recognition_recognise(claim, *, actor, ip_address=None):
    """Recognise the injury as work-related: verified by another staff member first,
    decided by someone who is neither the verifier, who asked for documents, the
    applicant nor the worker."""
    _require_perm(actor, "decide_injuryrecognition")
    locked = _lock(claim)
    if locked.status in WORKFLOW.decided_states:
        raise AlreadyDecided()
    if not locked.allows(workflow.APPROVE):
        raise IllegalTransition()
    casework.require_not_own(locked, actor)
    if locked.verified_by_id is None:
        raise IllegalTransition(
            _("A reviewer has not yet verified the labour relationship and the diagnosis."),
            code="injury_not_verified",
        )
    if actor.pk in (locked.verified_by_id, locked.reviewed_by_id):
        raise SamePerson()
    casework.case_transition(
        locked,
        workflow.APPROVE,
        actor=actor,
        note=notes.note(injury_notes.RECOGNISED, date=locked.accident_date.isoformat()),
        ip_address=ip_address,
        approved_by=actor,
        decided_at=timezone.now(),
    )
    casework.copy_into(locked, claim)
    return claim


# --- the labour-capacity appraisal (WIR Art. 21-28) and the benefits (Art. 35-37, 64) ---


def _first_of_next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _refused(exc, **kwargs):
    return AppraisalRefused(exc.code, **exc.params, **kwargs)


@transaction.atomic
def appraisal_apply(
    recognition, *, actor, round=appraisal_rules.INITIAL, condition_stable=False, today=None
):
    """Apply for the labour-capacity appraisal of a recognised work injury: the first
    appraisal once the condition is stable (Art. 21, 23), a re-appraisal within 15 days
    of the conclusion (Art. 26) or a review a year after it (Art. 28). The worker or
    whoever filed the recognition applies. Refused with a code (AppraisalRefused)."""
    cardholder_user = (
        Cardholder.objects.filter(pk=recognition.cardholder_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if actor is None or actor.pk not in {recognition.applicant_id, cardholder_user} - {None}:
        raise Forbidden(_("Only the worker or whoever filed the recognition can apply."))
    cardholder = Cardholder.objects.select_for_update().get(pk=recognition.cardholder_id)
    locked = _lock(recognition)
    day = _today(today)
    opened = selectors.appraisal_open(locked)
    last = selectors.appraisal_last_concluded(locked)
    try:
        appraisal_rules.check_application(
            round=round,
            today=day,
            recognised=locked.status == InjuryRecognition.Status.RECOGNISED,
            condition_stable=bool(condition_stable),
            open_round=opened.round if opened else "",
            last_round=last.round if last else "",
            last_concluded_on=last.concluded_on if last else None,
        )
    except appraisal_rules.AppraisalRuleError as exc:
        field = {
            appraisal_rules.NOT_STABLE: "condition_stable",
            appraisal_rules.ROUND_UNKNOWN: "round",
        }.get(exc.code)
        raise _refused(exc, field=field, status=400 if field else None) from None
    now = timezone.now()
    appraisal = LabourCapacityAppraisal(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=actor,
        recognition=locked,
        round=round,
        previous=last if round != appraisal_rules.INITIAL else None,
        submitted_at=now,
    )
    appraisal.save()
    appraisal.reference = f"LA-{timezone.localdate(appraisal.created_at).year}-{appraisal.pk:06d}"
    LabourCapacityAppraisal.objects.filter(pk=appraisal.pk).update(reference=appraisal.reference)
    casework.case_started(appraisal, actor, notes.note(injury_notes.APPRAISAL_APPLIED, round=round))
    return appraisal


def appraisal_withdraw(appraisal, *, actor):
    """The applicant takes the application back before the conclusion."""
    return casework.case_withdraw(appraisal, actor=actor)


def benefits_compute(cardholder, recognition, grade):
    """The own wage (Art. 64) and the benefits for `grade` (Art. 35-37) from the data as
    it stands. Refuses, naming the figure, when the regional average wage of the year
    before the injury is missing, and when no wage is on the record."""
    row = selectors.regional_average_row(cardholder.region, recognition.accident_date)
    if row is None:
        raise MissingFigure(
            figure="regional_average_wage",
            region=cardholder.region,
            year=recognition.accident_date.year - 1,
        )
    try:
        wage = rules.own_wage(
            selectors.wage_months(cardholder, recognition.accident_date), row.amount
        )
    except rules.InjuryRuleError as exc:
        raise AppraisalRefused(exc.code, status=422) from None
    return (
        row,
        wage,
        rules.one_time_subsidy(grade, wage.bounded),
        rules.monthly_allowance(grade, wage.bounded),
    )


def nursing_compute(cardholder, self_care, day):
    """The monthly nursing allowance (Art. 34) for the self-care level the committee
    found on `day`, with the rate row and the regional average row used: (None, None,
    None) when the worker can care for themself. Refuses, naming the figure, when the
    region has no rate for the level (NursingRateMissing) or no average monthly wage
    for the year before `day` (MissingFigure)."""
    if not nursing_rules.needs_care(self_care):
        return None, None, None
    rates = selectors.nursing_rates(cardholder.region, day)
    if self_care not in rates:
        raise NursingRateMissing(region=cardholder.region, self_care=self_care)
    average = selectors.regional_average_row(cardholder.region, day)
    if average is None:
        raise MissingFigure(
            figure="regional_average_wage", region=cardholder.region, year=day.year - 1
        )
    nursing = nursing_rules.nursing_allowance(
        self_care=self_care,
        percents={level: row.percent for level, row in rates.items()},
        regional_average=average.amount,
        region=cardholder.region,
    )
    return nursing, rates[self_care], average


def appraisal_conclude(appraisal, *, actor, grade, self_care, ip_address=None, today=None):
    """The appraisal committee records its conclusion: the disability grade 1-10 and
    the self-care level (Art. 22). In the same transaction the own wage and the
    benefits are fixed with every figure used, and the one-time disability subsidy is
    paid from the region's work-injury fund to payouts payable, with its line for the
    next bank batch (`subsidy_payouts`): once per injury (a
    re-appraisal or review with a more severe grade pays only the difference; a milder
    one recovers nothing). Grades 1-4 get the monthly allowance from the month after
    the conclusion, paid by the monthly benefit run; so does the nursing allowance of a
    worker found to need living care (Art. 34), at the region's rate for the level
    (refused, naming region and level, when there is none). Two conclusions at once: the row
    lock and the status compare-and-set let one win; the other is AlreadyDecided."""
    _require_perm(actor, "conclude_labourcapacityappraisal")
    try:
        value = appraisal_rules.check_conclusion(grade, self_care)
    except appraisal_rules.AppraisalRuleError as exc:
        field = "grade" if exc.code == appraisal_rules.GRADE_INVALID else "self_care"
        raise _refused(exc, field=field, status=400) from None
    with transaction.atomic():
        cardholder = Cardholder.objects.select_for_update().get(pk=appraisal.cardholder_id)
        recognition = _lock(InjuryRecognition(pk=appraisal.recognition_id))
        locked = LabourCapacityAppraisal.objects.select_for_update().get(pk=appraisal.pk)
        if locked.status in APPRAISAL_WORKFLOW.decided_states:
            raise AlreadyDecided()
        if not locked.allows(CONCLUDE):
            raise IllegalTransition()
        casework.require_not_own(locked, actor)
        row, wage, subsidy, allowance = benefits_compute(cardholder, recognition, value)
        day = _today(today)
        nursing, nursing_rate, nursing_average = nursing_compute(cardholder, self_care, day)
        already = selectors.subsidy_paid(recognition)
        top_up = max(subsidy - already, Decimal("0.00"))
        txn = None
        if top_up > 0:
            fund = ledger.fund_account(Scheme.WORK_INJURY, cardholder.region)
            if fund is None:
                raise AppraisalRefused(
                    "work_injury_fund_missing", status=422, region=cardholder.region
                )
            payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
            # Its line in the bank batch, saved with the posting (see subsidy_payouts).
            payment = subsidy_payouts.subsidy_payment_new(
                locked, recognition=recognition, cardholder=cardholder, amount=top_up
            )
            txn, _created = ledger.post(
                kind=LedgerTransaction.Kind.BENEFIT,
                idempotency_key=f"injury-subsidy:{locked.pk}",
                legs=[ledger.Leg(fund.id, -top_up), ledger.Leg(payable.id, top_up)],
                reference=locked.reference,
                description=(
                    f"One-time disability subsidy {recognition.reference}: grade {value}, "
                    f"{rules.ONE_TIME_SUBSIDY_MONTHS[value]} × {wage.bounded}"
                ),
                actor=actor,
                record=payment,
            )
        casework.case_transition(
            locked,
            CONCLUDE,
            actor=actor,
            note=notes.note(
                injury_notes.APPRAISED,
                grade=value,
                subsidy=f"{subsidy:.2f}",
                allowance=f"{allowance:.2f}",
            ),
            ip_address=ip_address,
            approved_by=actor,
            decided_at=timezone.now(),
            grade=value,
            self_care=self_care,
            concluded_on=day,
            wage_months=wage.months,
            wage_average=wage.average,
            regional_average=row.amount,
            regional_year=row.year,
            regional_source=row.source[:200],
            bound_applied=wage.bound_applied,
            own_wage=wage.bounded,
            one_time_subsidy=subsidy,
            subsidy_paid=top_up if txn is not None else None,
            subsidy_transaction=txn,
            monthly_allowance=allowance,
            nursing_percent=nursing.percent if nursing else None,
            nursing_regional_average=nursing.regional_average if nursing else None,
            nursing_regional_year=nursing_average.year if nursing else None,
            nursing_source=nursing_rate.source[:200] if nursing else "",
            nursing_allowance=nursing.amount if nursing else Decimal("0.00"),
        )
        allowance_from = None
        if allowance > 0:
            allowance_from = recognition.allowance_from or _first_of_next_month(day)
        nursing_from = None
        if nursing is not None:
            nursing_from = recognition.nursing_from or _first_of_next_month(day)
            # The decision on the nursing allowance, with its basis, on the timeline the
            # worker reads; the conclusion's e-mail repeats it with how to contest it.
            casework.case_note(
                locked,
                actor,
                notes.note(
                    injury_notes.NURSING_FIXED,
                    level=self_care,
                    percent=f"{nursing.percent:.2f}",
                    average=f"{nursing.regional_average:.2f}",
                    amount=f"{nursing.amount:.2f}",
                    start=nursing_from.isoformat(),
                ),
            )
        InjuryRecognition.objects.filter(pk=recognition.pk).update(
            grade=value,
            own_wage=wage.bounded,
            one_time_subsidy=max(subsidy, already),
            monthly_allowance=allowance,
            allowance_from=allowance_from,
            nursing_allowance=nursing.amount if nursing else Decimal("0.00"),
            nursing_from=nursing_from,
        )
    casework.copy_into(locked, appraisal)
    return appraisal
