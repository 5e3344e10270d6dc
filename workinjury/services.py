"""Every write of work-injury recognition: one function per use case, one transaction.

Status changes go through `casework.services.case_transition`. The worker's row is
locked first, then the recognition's. When someone other than the worker files (a close
relative, or staff on the employer's behalf) the worker is told at once (RULES §9).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Cardholder, Contribution
from accounts.selectors import employer_for_user
from casework import notes, workflow
from casework import services as casework
from casework.exceptions import AlreadyDecided, Forbidden, IllegalTransition, SamePerson
from core.errors import InvalidInput, NotFound
from workinjury import eligibility, selectors
from workinjury import notes as injury_notes
from workinjury.exceptions import RecognitionRefused
from workinjury.models import WORKFLOW, Filer, InjuryRecognition

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
