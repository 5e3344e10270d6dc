"""Every write of the withdrawals kind: one function per use case, each one transaction.

Status changes go through `casework.services.case_transition`, which looks the action
up in `models.TABLE`, compares-and-sets the status (a race loses cleanly) and writes
the timeline event. Money moves only through `accounts.ledger.post`.
"""

import functools
import logging
import re
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import extensions, interest_service, ledger
from accounts import services as accounts_services
from accounts.exceptions import DomainError, InvalidInput
from accounts.ledger import Leg
from accounts.models import ZERO, Account, Cardholder, LedgerTransaction, Scheme
from accounts.validators import parse_national_id
from casework import notes, workflow
from casework import services as casework
from pensions import services as pension_services
from sscard.celery import enqueue_on_commit
from withdrawals import eligibility, heir_services, safeguards, selectors
from withdrawals import notes as withdrawal_notes
from withdrawals.exceptions import (
    AlreadyDecided,
    AlreadyVerified,
    Forbidden,
    IdentificationFailed,
    IllegalTransition,
    IneligibleError,
    SamePerson,
    TooManyAttempts,
)
from withdrawals.models import (
    CONTEST,
    PAYOUT_CONFIRMED,
    PAYOUT_FAILED,
    PAYOUT_REQUEUED,
    WORKFLOW,
    CertificateReuse,
    Reason,
    Relationship,
    WithdrawalApplication,
)

logger = logging.getLogger(__name__)

# States whose change concerns the applicant: they get an email.
NOTIFY_STATES = WORKFLOW.notify

IDENTIFY_MAX_ATTEMPTS = getattr(settings, "SSCARD_IDENTIFY_MAX_ATTEMPTS", 10)
IDENTIFY_WINDOW_SECONDS = getattr(settings, "SSCARD_IDENTIFY_WINDOW_SECONDS", 3600)
REVIEW_MAX_ROUNDS = casework.REVIEW_MAX_ROUNDS

_ACCOUNT_NUMBER = re.compile(r"^[0-9][0-9 \-]*[0-9]$")


# --- the state machine (casework's) ------------------------------------------------


def _transition(application, action, actor, note, *, ip_address=None, **fields):
    return casework.case_transition(
        application, action, actor=actor, note=note, ip_address=ip_address, **fields
    )


def _note(application, actor, note, *, ip_address=None, staff_only=False):
    """A timeline line without a change of status (verification, notice, warnings)."""
    return casework.case_note(
        application, actor, note, ip_address=ip_address, staff_only=staff_only
    )


def _queue_review(application):
    casework.queue_review(application)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(WORKFLOW.perm(perm)):
        raise Forbidden()


def _require_not_own(application, actor):
    """Staff who applied, or whom the claim is about, are applicants here, not staff."""
    cardholder_user = (
        Cardholder.objects.filter(pk=application.cardholder_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if safeguards.acts_on_own_claim(
        getattr(actor, "pk", None),
        applicant_id=application.applicant_id,
        cardholder_user_id=cardholder_user,
    ):
        raise Forbidden(
            _("You cannot act as staff on a claim you made or that is about you."),
            code=safeguards.OWN_CLAIM,
        )


require_not_own = _require_not_own
_require_applicant = casework.require_applicant
_copy = casework.copy_into


def _lock(application):
    """The application's row, locked for the rest of the transaction, fresh."""
    return WithdrawalApplication.objects.select_for_update().get(pk=application.pk)


# --- identifying the cardholder ----------------------------------------------


def _rate_key(requester):
    ident = getattr(requester, "pk", None)
    return f"withdrawals:identify:{ident if ident is not None else requester}"


def cardholder_identify(*, national_id, name, card_number, requester):
    """Find the cardholder an heir names by national ID + full name + card number.

    All three must match. Whatever does not match, the refusal is the same, so
    nobody learns whether an ID number exists. At most IDENTIFY_MAX_ATTEMPTS
    attempts per requester per hour.
    """
    key = _rate_key(requester)
    cache.add(key, 0, timeout=IDENTIFY_WINDOW_SECONDS)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=IDENTIFY_WINDOW_SECONDS)
        attempts = 1
    if attempts > IDENTIFY_MAX_ATTEMPTS:
        raise TooManyAttempts()
    try:
        number = parse_national_id(str(national_id or "")).number
    except Exception:
        raise IdentificationFailed() from None
    cardholder = Cardholder.objects.with_national_id(number).first()
    given_name = str(name or "").strip()
    given_card = str(card_number or "").strip().upper()
    if (
        cardholder is None
        or not given_name
        or not cardholder.matches_name(given_name)
        or cardholder.card_number.strip().upper() != given_card
    ):
        raise IdentificationFailed()
    return cardholder


# --- eligibility facts (read in withdrawals.selectors) -------------------------------

default_schemes = selectors.default_schemes
eligibility_facts = selectors.eligibility_facts
application_decision = selectors.application_decision
precheck = selectors.precheck
balances_disclosed = selectors.balances_disclosed
decision_facts = selectors.decision_facts


def _record_decision(application, stage, decision, **extra):
    """The fields that store the decision on the application (in the caller's
    transaction)."""
    return {**casework.decision_fields(application, stage, decision), **extra}


def _save_refusal(application_pk, stage, decision):
    """Keep a refused decision on the record even though the change is refused."""
    # At approval the refusal names staff's safeguards: on the staff timeline only.
    casework.decision_save_refusal(
        application_pk, stage, decision, staff_only=stage == eligibility.APPROVAL
    )


# --- the applicant -------------------------------------------------------------


def clean_typed_text(value, field):
    """What a person typed, whitespace folded; control and format characters (a NUL,
    a right-to-left override that makes a name read otherwise) are refused."""
    text = " ".join(str(value or "").split())
    if safeguards.format_characters(text):
        raise InvalidInput(
            _("Remove the invisible control or formatting characters from this field."),
            code=safeguards.FORMAT_CHARACTERS,
            field=field,
        )
    return text


def _clean_text(value, field, max_length):
    text = clean_typed_text(value, field)
    if not text:
        raise InvalidInput(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": max_length}, code="too_long", field=field
        )
    return text


def _clean_bank(bank_name, bank_account_holder, bank_account_number):
    name = _clean_text(bank_name, "bank_name", 100)
    holder = _clean_text(bank_account_holder, "bank_account_holder", 100)
    number = str(bank_account_number or "").strip()
    digits = re.sub(r"[ \-]", "", number)
    if not number:
        raise InvalidInput(
            _("This field is required."), code="required", field="bank_account_number"
        )
    if not _ACCOUNT_NUMBER.match(number) or not 8 <= len(digits) <= 30 or len(number) > 40:
        raise InvalidInput(
            _("Enter the bank account number: 8 to 30 digits."),
            code="invalid_account_number",
            field="bank_account_number",
        )
    return name, holder, number


def _clean_schemes(schemes):
    if isinstance(schemes, str):
        schemes = [schemes]
    cleaned = []
    for scheme in schemes or ():
        if scheme not in Scheme.values:
            raise InvalidInput(
                _("There is no such insurance scheme."), code="invalid_choice", field="schemes"
            )
        if scheme not in cleaned:
            cleaned.append(scheme)
    return cleaned


def _next_reference(application):
    year = timezone.localdate(application.created_at).year
    return f"WD-{year}-{application.pk:06d}"


@transaction.atomic
def application_create_draft(
    *,
    applicant,
    cardholder,
    reason,
    relationship,
    schemes=None,
    bank_name,
    bank_account_holder,
    bank_account_number,
    heirs=None,
    proofs=None,
    claims_survivor_benefits=False,
):
    """Start a claim. Refused (IneligibleError, with every reason) unless the
    pre-check allows it; the draft gets its reference number (WD-YYYY-NNNNNN).

    A death claim may declare its heirs with their shares (the applicant among them)
    and the proofs it will attach: the rules of inheritance refuse (HeirsRefused,
    400, every reason) before anything is written. Once heirs are declared there is
    one claim per estate: a second heir is pointed to it (EstateAlreadyClaimed, 409)."""
    if relationship not in Relationship.values:
        raise InvalidInput(
            _("Choose your relationship to the cardholder."),
            code="invalid_choice",
            field="relationship",
        )
    declared = None
    if reason == Reason.DEATH:
        if heirs is not None:
            declared = heir_services.parse_heirs(heirs)
        elif claims_survivor_benefits:
            declared = heir_services.applicant_alone(applicant, relationship)
        heir_services.refuse_second_estate_claim(
            cardholder, applicant, declares_heirs=declared is not None
        )
        if declared is not None:
            heir_services.check_estate(
                declared,
                cardholder=cardholder,
                applicant=applicant,
                proofs=heir_services.parse_proofs(proofs),
            )
    elif heirs is not None or claims_survivor_benefits:
        raise InvalidInput(
            _("Heirs and survivor benefits belong to a claim after a death."),
            code="not_a_death",
            field="heirs",
        )
    schemes = default_schemes(cardholder) if schemes is None else _clean_schemes(schemes)
    bank = _clean_bank(bank_name, bank_account_holder, bank_account_number)
    decision = precheck(
        applicant=applicant,
        cardholder=cardholder,
        reason=reason,
        relationship=relationship,
        schemes=schemes,
    )
    if not decision.allowed:
        raise IneligibleError(decision)
    _require_payee_is_applicant(applicant, bank[1])
    application = WithdrawalApplication(
        reference=f"TMP-{timezone.now():%H%M%S%f}",
        cardholder=cardholder,
        applicant=applicant,
        reason=reason,
        relationship=relationship,
        claims_pension=eligibility.PENSION in schemes,
        claims_medical=eligibility.MEDICAL in schemes,
        bank_name=bank[0],
        bank_account_holder=bank[1],
        bank_account_number=bank[2],
        claims_survivor_benefits=bool(claims_survivor_benefits and declared),
    )
    for name, value in _record_decision(application, eligibility.PRECHECK, decision).items():
        setattr(application, name, value)
    application.save()
    application.reference = _next_reference(application)
    WithdrawalApplication.objects.filter(pk=application.pk).update(reference=application.reference)
    casework.case_started(application, applicant)
    if declared is not None:
        heir_services.heirs_record(application, declared, actor=applicant)
    return application


@transaction.atomic
def application_update_bank(
    application, *, actor, bank_name, bank_account_holder, bank_account_number
):
    """The applicant corrects the payout bank details while the claim is editable."""
    _require_applicant(application, actor)
    application = _lock(application)
    if not application.is_editable:
        raise IllegalTransition()
    name, holder, number = _clean_bank(bank_name, bank_account_holder, bank_account_number)
    _require_payee_is_applicant(application.applicant, holder)
    WithdrawalApplication.objects.filter(pk=application.pk).update(
        bank_name=name, bank_account_holder=holder, bank_account_number=number
    )
    application.bank_name, application.bank_account_holder = name, holder
    application.bank_account_number = number
    return application


def document_add(*, application, kind, uploaded_file, uploader):
    """Attach an uploaded file to a draft (or a claim waiting for documents); see
    `casework.services.document_add`."""
    return casework.document_add(
        case=application, kind=kind, uploaded_file=uploaded_file, uploader=uploader
    )


def document_remove(*, document, actor):
    """The applicant removes a document from a draft (or a claim waiting for documents)."""
    casework.document_remove(document=document, actor=actor)


@transaction.atomic
def application_confirm_notice(application, *, actor, full_name):
    """The emigrating cardholder confirms in writing, after reading the notice, that
    they want to close the pension personal account (MOHRSS Order No. 13 Art. 6).
    The typed name must be the cardholder's; time and name are recorded."""
    _require_applicant(application, actor)
    application = _lock(application)
    if not application.is_editable:
        raise IllegalTransition()
    if not application.needs_notice:
        raise DomainError(
            _("This application does not need the pension notice."), code="notice_not_needed"
        )
    typed = " ".join(str(full_name or "").split())
    if not application.cardholder.matches_name(typed):
        raise InvalidInput(
            _("Type your full name exactly as on your card to confirm."),
            code="name_mismatch",
            field="full_name",
        )
    now = timezone.now()
    fields = {"notice_confirmed_at": now, "notice_confirmed_name": typed}
    if application.notice_shown_at is None:
        fields["notice_shown_at"] = now
    WithdrawalApplication.objects.filter(pk=application.pk).update(**fields)
    for name, value in fields.items():
        setattr(application, name, value)
    _note(application, actor, notes.note(withdrawal_notes.NOTICE_CONFIRMED, name=typed))
    return application


@transaction.atomic
def application_notice_shown(application, *, actor):
    """Record when the pension notice was first shown to the applicant."""
    _require_applicant(application, actor)
    WithdrawalApplication.objects.filter(pk=application.pk, notice_shown_at__isnull=True).update(
        notice_shown_at=timezone.now()
    )
    application.refresh_from_db(fields=["notice_shown_at"])
    return application


def application_submit(application, *, actor):
    """Send the claim for review (draft or needs_documents → submitted).

    The submission-stage rules must allow it (else IneligibleError with every
    reason, and the refusal is kept on the record). Claims on one cardholder are
    serialised, so two applications can never both hold the same account. The
    document review is queued after commit; the sweeper re-queues it if lost.
    """
    _require_applicant(application, actor)
    try:
        with transaction.atomic():
            # Cardholder first, then the application: the same order everywhere.
            Cardholder.objects.select_for_update().get(pk=application.cardholder_id)
            locked = _lock(application)
            if not locked.allows(workflow.SUBMIT):
                raise IllegalTransition(
                    _("The application is %(status)s; it cannot be submitted.")
                    % {"status": locked.get_status_display()}
                )
            decision = application_decision(locked, eligibility.SUBMISSION)
            if not decision.allowed:
                raise IneligibleError(decision)
            now = timezone.now()
            fields = _record_decision(locked, eligibility.SUBMISSION, decision)
            fields.update(review_queued_at=now, review_attempts=0, request_message="")
            if locked.submitted_at is None:
                fields["submitted_at"] = now
            _transition(locked, workflow.SUBMIT, actor, notes.note(notes.SUBMITTED), **fields)
            _queue_review(locked)
            _queue_named_person_notice(locked)
    except IneligibleError as exc:
        _save_refusal(application.pk, eligibility.SUBMISSION, exc.decision)
        raise
    _copy(locked, application)
    return application


@transaction.atomic
def application_withdraw(application, *, actor):
    """The applicant withdraws the claim, any time before it is approved."""
    _require_applicant(application, actor)
    locked = _lock(application)
    if not locked.is_withdrawable:
        if locked.status in WORKFLOW.decided_states:
            raise AlreadyDecided()
        raise IllegalTransition()
    _transition(locked, workflow.WITHDRAW, actor, notes.note(notes.WITHDRAWN))
    _copy(locked, application)
    return application


# --- the review worker (casework's) -------------------------------------------------

application_start_review = casework.case_start_review
document_record_finding = casework.document_record_finding
application_finish_review = casework.case_finish_review
application_record_note = casework.case_record_note
application_requeue_review = casework.case_requeue_review


# --- staff -------------------------------------------------------------------------


@transaction.atomic
def application_request_documents(application, *, actor, message, ip_address=None):
    """A reviewer asks the applicant for more or better documents (with a message)."""
    _require_perm(actor, "review_application")
    text = str(message or "").strip()
    if not text:
        raise InvalidInput(
            _("Tell the applicant what is needed."), code="required", field="message"
        )
    locked = _lock(application)
    _require_not_own(locked, actor)
    _transition(
        locked,
        workflow.REQUEST_DOCUMENTS,
        actor,
        notes.note(notes.DOCUMENTS_REQUESTED, text=text),
        ip_address=ip_address,
        request_message=text,
        reviewed_by=actor,
    )
    _copy(locked, application)
    return application


# Staff verify facts on an open claim that is not held by a contest.
VERIFIABLE_STATES = tuple(s for s in WORKFLOW.open_states if s not in WORKFLOW.targets(CONTEST))


def _verifiable(application):
    if application.status not in VERIFIABLE_STATES:
        raise IllegalTransition(_("Only a claim under review can be verified."))


def _note_correction(application, actor, reason, *, before, after, ip_address):
    """A second verification with other facts replaces the first only as a correction
    with its reason, kept on the timeline; without a reason it is refused (409)."""
    reason = str(reason or "").strip()
    if not reason:
        raise AlreadyVerified(field="correction_reason")
    _note(
        application,
        actor,
        notes.note(
            withdrawal_notes.VERIFICATION_CORRECTED,
            before=before,
            after=after,
            reason=reason[:2000],
        ),
        ip_address=ip_address,
    )


def _death_facts(when, number):
    return {"date": when.isoformat(), "number": number}


def _emigration_facts(when, country, number, given_up):
    return {"date": when.isoformat(), "country": country, "number": number, "given_up": given_up}


def _clean_past_date(value, field):
    if not isinstance(value, date):
        raise InvalidInput(_("Enter a date."), code="required", field=field)
    if value > timezone.localdate():
        raise InvalidInput(_("The date cannot be in the future."), code="future_date", field=field)
    return value


def cardholder_record_death(cardholder, *, when, number, actor=None):
    """What a verified death changes, inside the verifying transaction (RULES §4): the
    life status with the date and certificate, the card cancelled, the pooled accounts
    back to the fund, the pension stopped, and every app above told."""
    Cardholder.objects.filter(pk=cardholder.pk).update(
        life_status=Cardholder.LifeStatus.DECEASED,
        date_of_death=when,
        death_certificate_number=number,
        updated_at=timezone.now(),
    )
    accounts_services.card_cancel_on_death(cardholder=cardholder, actor=actor)
    accounts_services.pooled_accounts_close_on_death(cardholder=cardholder, actor=actor)
    pension_services.pension_stop_on_death(cardholder=cardholder, actor=actor)
    extensions.life_event(
        cardholder_id=cardholder.pk, event=extensions.DECEASED, on=when, actor=actor
    )


@transaction.atomic
def cardholder_verify_death(
    application,
    *,
    actor,
    date_of_death,
    certificate_number,
    ip_address=None,
    reuse_override_reason="",
    correction_reason="",
):
    """Staff record a verified death on the cardholder (life status deceased, date,
    certificate number); they become the application's verifier. A certificate
    number already recorded for another person is refused (409) unless a second
    staff member accepts it with a written reason (`reuse_override_reason`)."""
    _require_perm(actor, "verify_life_event")
    locked = _lock(application)
    _require_not_own(locked, actor)
    if locked.reason != Reason.DEATH:
        raise DomainError(_("This claim is not about a death."), code="wrong_reason")
    _verifiable(locked)
    when = _clean_past_date(date_of_death, "date_of_death")
    number = _clean_text(certificate_number, "certificate_number", 60)
    cardholder = Cardholder.objects.select_for_update().get(pk=locked.cardholder_id)
    if cardholder.date_of_birth and when < cardholder.date_of_birth:
        raise InvalidInput(
            _("The date of death is before the date of birth."),
            code="invalid_date",
            field="date_of_death",
        )
    _check_certificate_reuse(
        locked, cardholder, "death", number, actor, reuse_override_reason, ip_address
    )
    if cardholder.life_status == Cardholder.LifeStatus.DECEASED and cardholder.date_of_death:
        recorded = (cardholder.date_of_death, cardholder.death_certificate_number)
        if recorded == (when, number):
            if locked.verified_by_id is not None:
                _copy(locked, application)
                return application  # this claim's facts again: nothing to record
        else:
            _note_correction(
                locked,
                actor,
                correction_reason,
                before=_death_facts(*recorded),
                after=_death_facts(when, number),
                ip_address=ip_address,
            )
    cardholder_record_death(cardholder, when=when, number=number, actor=actor)
    WithdrawalApplication.objects.filter(pk=locked.pk).update(verified_by=actor)
    locked.verified_by = actor
    _note(
        locked,
        actor,
        notes.note(withdrawal_notes.DEATH_VERIFIED, date=when.isoformat(), number=number),
        ip_address=ip_address,
    )
    _copy(locked, application)
    application.cardholder.refresh_from_db()
    return application


@transaction.atomic
def cardholder_verify_emigration(
    application,
    *,
    actor,
    date,
    country,
    certificate_number,
    nationality_given_up,
    ip_address=None,
    reuse_override_reason="",
    correction_reason="",
):
    """Staff record a verified emigration on the cardholder (life status emigrated,
    date, country, certificate number, whether PRC nationality was given up). A
    certificate number recorded for another person is refused as for a death."""
    _require_perm(actor, "verify_life_event")
    locked = _lock(application)
    _require_not_own(locked, actor)
    if locked.reason != Reason.EMIGRATION:
        raise DomainError(_("This claim is not about an emigration."), code="wrong_reason")
    _verifiable(locked)
    when = _clean_past_date(date, "date")
    country = _clean_text(country, "country", 80)
    number = _clean_text(certificate_number, "certificate_number", 60)
    cardholder = Cardholder.objects.select_for_update().get(pk=locked.cardholder_id)
    if cardholder.life_status == Cardholder.LifeStatus.DECEASED:
        raise DomainError(_("The cardholder is recorded as deceased."), code="cardholder_deceased")
    _check_certificate_reuse(
        locked, cardholder, "exit", number, actor, reuse_override_reason, ip_address
    )
    if cardholder.life_status == Cardholder.LifeStatus.EMIGRATED and cardholder.emigrated_on:
        recorded = (
            cardholder.emigrated_on,
            cardholder.emigration_country,
            cardholder.emigration_certificate_number,
            cardholder.nationality_given_up,
        )
        if recorded == (when, country, number, bool(nationality_given_up)):
            if locked.verified_by_id is not None:
                _copy(locked, application)
                return application  # this claim's facts again: nothing to record
        else:
            _note_correction(
                locked,
                actor,
                correction_reason,
                before=_emigration_facts(*recorded),
                after=_emigration_facts(when, country, number, bool(nationality_given_up)),
                ip_address=ip_address,
            )
    Cardholder.objects.filter(pk=cardholder.pk).update(
        life_status=Cardholder.LifeStatus.EMIGRATED,
        emigrated_on=when,
        emigration_country=country,
        emigration_certificate_number=number,
        nationality_given_up=bool(nationality_given_up),
        updated_at=timezone.now(),
    )
    extensions.life_event(
        cardholder_id=cardholder.pk, event=extensions.SETTLED_ABROAD, on=when, actor=actor
    )
    WithdrawalApplication.objects.filter(pk=locked.pk).update(verified_by=actor)
    locked.verified_by = actor
    _note(
        locked,
        actor,
        notes.note(
            withdrawal_notes.EMIGRATION_VERIFIED,
            country=country,
            date=when.isoformat(),
            number=number,
            given_up=bool(nationality_given_up),
        ),
        ip_address=ip_address,
    )
    _copy(locked, application)
    application.cardholder.refresh_from_db()
    return application


def application_approve(application, *, actor, ip_address=None):
    """Approve the claim and pay it out, exactly once.

    Two-person rule: the approver must not be who verified the death/emigration
    or last reviewed the claim. Inside one transaction, with the application and
    the claimed accounts locked, the approval-stage rules are evaluated again;
    then one ledger transaction moves each claimed personal balance to payouts
    payable and closes the account. A second approval, a double click or a retry
    raises AlreadyDecided and moves nothing.
    """
    _require_perm(actor, "approve_application")
    try:
        with transaction.atomic():
            locked = _lock(application)
            if locked.status in WORKFLOW.decided_states:
                raise AlreadyDecided()
            if not locked.allows(workflow.APPROVE):
                raise IllegalTransition(
                    _("The application is %(status)s; it cannot be approved yet.")
                    % {"status": locked.get_status_display()}
                )
            _require_not_own(locked, actor)
            if actor.pk in (locked.verified_by_id, locked.reviewed_by_id):
                raise SamePerson()
            accounts = list(
                Account.objects.select_for_update()
                .filter(
                    cardholder_id=locked.cardholder_id,
                    kind=Account.Kind.PERSONAL,
                    scheme__in=locked.schemes,
                )
                .order_by("id")
            )
            decision = application_decision(locked, eligibility.APPROVAL, approver=actor)
            if not decision.allowed:
                raise IneligibleError(decision)
            # The year's interest first, up to the payout (SIL Art. 14), in this
            # transaction: the payout takes the balance with it.
            if interest_service.interest_credit_at_payout(accounts, actor=actor):
                for account in accounts:
                    account.refresh_from_db(fields=["balance"])
            by_share = heir_services.has_heirs(locked)
            # The pension months owed at death, from the fund and the personal pension
            # account as the run would have paid them, before the balances go.
            arrears = ZERO
            if locked.reason == Reason.DEATH:
                arrears = heir_services.pay_pension_arrears(locked, actor=actor, by_share=by_share)
                if arrears:
                    for account in accounts:
                        account.refresh_from_db(fields=["balance"])
                # The work-death subsidies already wait in payouts payable: they go out
                # with this claim, by share, and move no money now.
                arrears += heir_services.pay_work_death_lump_sums(
                    locked, actor=actor, by_share=by_share
                )
            survivor_fields = {}
            if by_share:
                # Split by the heirs' shares; the survivor benefits in the same transaction.
                txn, total = heir_services.pay_by_share(locked, accounts, actor=actor)
                total += arrears
                if locked.claims_survivor_benefits:
                    survivor_fields = heir_services.pay_survivor_benefits(locked, actor=actor)
            else:
                payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
                total = sum((a.balance for a in accounts), ZERO)
                legs = [Leg(a.id, -a.balance) for a in accounts]
                legs.append(Leg(payable.id, total))
                txn, _created = ledger.post(
                    kind=LedgerTransaction.Kind.PAYOUT,
                    idempotency_key=f"payout:{locked.pk}",
                    legs=legs,
                    reference=locked.reference,
                    description=f"Withdrawal {locked.reference}: "
                    + ", ".join(f"{a.scheme} personal {a.balance}" for a in accounts),
                    actor=actor,
                    close_accounts=[a.id for a in accounts],
                )
                total += arrears
            now = timezone.now()
            fields = _record_decision(locked, eligibility.APPROVAL, decision)
            fields.update(survivor_fields)
            fields.update(
                amount=total,
                payout_transaction=txn,
                approved_by=actor,
                decided_at=now,
            )
            _transition(
                locked,
                workflow.APPROVE,
                actor,
                notes.note(
                    withdrawal_notes.APPROVED,
                    amount=f"{total:.2f}",
                    holder=locked.bank_account_holder,
                ),
                ip_address=ip_address,
                **fields,
            )
            if by_share:
                # Every share went into the heirs' own medical accounts: nothing to send.
                heir_services.settle_if_done(locked, actor=actor)
    except IneligibleError as exc:
        _save_refusal(application.pk, eligibility.APPROVAL, exc.decision)
        raise
    _copy(locked, application)
    return application


@transaction.atomic
def application_reject(application, *, actor, reason, ip_address=None):
    """A reviewer rejects the claim with a reason the applicant sees. Nothing moves."""
    _require_perm(actor, "review_application")
    text = str(reason or "").strip()
    if not text:
        raise InvalidInput(
            _("Give the reason the applicant will see."), code="required", field="reason"
        )
    locked = _lock(application)
    if locked.status in WORKFLOW.decided_states:
        raise AlreadyDecided()
    _require_not_own(locked, actor)
    _transition(
        locked,
        workflow.REJECT,
        actor,
        notes.note(notes.REJECTED, text=text),
        ip_address=ip_address,
        rejection_reason=text,
        reviewed_by=actor,
        decided_at=timezone.now(),
    )
    _copy(locked, application)
    return application


# --- payout ---------------------------------------------------------------------------


@transaction.atomic
def payout_mark_sent(applications, *, actor=None, ip_address=None):
    """Mark approved, not yet sent applications as sent to the bank now.

    Locks them and returns those it marked (a concurrent export marks none twice).
    """
    if actor is not None:
        _require_perm(actor, "manage_payouts")
    ids = [getattr(a, "pk", a) for a in applications]
    locked = list(
        WithdrawalApplication.objects.select_for_update()
        .filter(
            pk__in=ids,
            status__in=WORKFLOW.sources(PAYOUT_CONFIRMED),
            payout_sent_at__isnull=True,
        )
        .order_by("id")
    )
    now = timezone.now()
    WithdrawalApplication.objects.filter(pk__in=[a.pk for a in locked]).update(
        payout_sent_at=now, updated_at=now
    )
    for application in locked:
        application.payout_sent_at = now
        _note(
            application,
            actor,
            notes.note(withdrawal_notes.PAYOUT_SENT),
            ip_address=ip_address,
        )
    return locked


@transaction.atomic
def payout_mark_paid(application, *, actor=None, note=""):
    """The bank confirms the payment: approved → paid; the money leaves payouts
    payable for paid out. Exactly once (the ledger key and the status both guard).
    An emigration's payment also cancels the card."""
    locked = _lock(application)
    if locked.status in WORKFLOW.targets(PAYOUT_CONFIRMED):
        raise AlreadyDecided(_("The payment was already confirmed."))
    if not locked.allows(PAYOUT_CONFIRMED):
        raise IllegalTransition(
            _("The application is %(status)s; it cannot be marked paid.")
            % {"status": locked.get_status_display()}
        )
    if locked.payout_sent_at is None:
        raise DomainError(_("The payment was never sent to the bank."), code="not_sent")
    payable = ledger.system_account(Account.SystemCode.PAYOUTS_PAYABLE)
    paid_out = ledger.system_account(Account.SystemCode.PAID_OUT)
    ledger.post(
        kind=LedgerTransaction.Kind.PAYOUT_CONFIRMED,
        idempotency_key=f"payout-confirmed:{locked.pk}",
        legs=[Leg(payable.id, -locked.amount), Leg(paid_out.id, locked.amount)],
        reference=locked.reference,
        description=f"Bank confirmed payout {locked.reference}",
        actor=actor,
    )
    _transition(
        locked,
        PAYOUT_CONFIRMED,
        actor,
        notes.note(withdrawal_notes.PAID, text=str(note or "").strip()),
    )
    if locked.reason == Reason.EMIGRATION:
        # Paid out on settling abroad: the card's life ends with the payment.
        accounts_services.card_cancel_on_emigration(cardholder=locked.cardholder, actor=actor)
    _copy(locked, application)
    return application


@transaction.atomic
def payout_mark_failed(application, *, actor=None, note, ip_address=None):
    """The bank reports the payment failed: approved → payout_failed. Nothing moves;
    the money stays payable until staff correct the bank details and re-queue it."""
    if actor is not None:
        _require_perm(actor, "manage_payouts")
    locked = _lock(application)
    if not locked.allows(PAYOUT_FAILED):
        raise IllegalTransition(
            _("The application is %(status)s; its payment cannot fail now.")
            % {"status": locked.get_status_display()}
        )
    if locked.payout_sent_at is None:
        raise DomainError(_("The payment was never sent to the bank."), code="not_sent")
    _transition(
        locked,
        PAYOUT_FAILED,
        actor,
        notes.note(withdrawal_notes.PAYOUT_FAILED, text=str(note or "").strip()),
        ip_address=ip_address,
    )
    _copy(locked, application)
    return application


@transaction.atomic
def payout_requeue(
    application, *, actor, bank_name, bank_account_holder, bank_account_number, ip_address=None
):
    """Staff correct the bank details of a failed payment, by two people.

    The first staff member's details are kept as a proposal (the payment stays
    failed); a second staff member entering the same details confirms them and the
    payment goes out with the next batch (payout_failed → approved). The payee
    must still be the applicant. The timeline names who proposed and who confirmed.
    """
    _require_perm(actor, "manage_payouts")
    name, holder, number = _clean_bank(bank_name, bank_account_holder, bank_account_number)
    locked = _lock(application)
    _require_not_own(locked, actor)
    if not locked.allows(PAYOUT_REQUEUED):
        raise IllegalTransition(
            _("The application is %(status)s; its bank details cannot be corrected now.")
            % {"status": locked.get_status_display()}
        )
    _require_payee_is_applicant(locked.applicant, holder)
    details = {"bank_name": name, "bank_account_holder": holder, "bank_account_number": number}
    pending = locked.pending_payee or {}
    same = bool(pending) and all(pending.get(k) == v for k, v in details.items())
    shown = {
        "bank": name,
        "holder": holder,
        "tail": re.sub(r"\D", "", number)[-4:],
        "who": actor.get_username(),
    }
    if same and pending.get("by") == actor.pk:
        raise SamePerson(
            _("A second staff member must confirm the new bank details you entered."),
        )
    if not same:
        proposal = {**details, "by": actor.pk, "at": timezone.now().isoformat()}
        WithdrawalApplication.objects.filter(pk=locked.pk).update(pending_payee=proposal)
        WithdrawalApplication.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        locked.pending_payee = proposal
        _note(
            locked,
            actor,
            notes.note(withdrawal_notes.PAYEE_PROPOSED, **shown),
            ip_address=ip_address,
            staff_only=True,
        )
        _copy(locked, application)
        return application
    proposer = (
        get_user_model()
        .objects.filter(pk=pending.get("by"))
        .values_list("username", flat=True)
        .first()
    )
    _transition(
        locked,
        PAYOUT_REQUEUED,
        actor,
        notes.note(withdrawal_notes.PAYEE_CONFIRMED, **shown, proposer=proposer or "?"),
        ip_address=ip_address,
        pending_payee=None,
        payout_sent_at=None,
        **details,
    )
    _copy(locked, application)
    return application


# --- safeguards on a claim ------------------------------------------------------------


def _require_payee_is_applicant(applicant, holder):
    if not safeguards.payee_matches(holder, selectors.applicant_identity(applicant).name):
        raise InvalidInput(
            _("The payout account must be in your own name, exactly as on your identity card."),
            code=safeguards.PAYEE_NOT_APPLICANT,
            field="bank_account_holder",
        )


def _queue_named_person_notice(application):
    """Tell the person a death claim names, once per claim, after commit."""
    if application.reason != Reason.DEATH or application.named_person_notified_at is not None:
        return
    # Only a cardholder with a login can be written to, see a banner or contest.
    if not Cardholder.objects.filter(pk=application.cardholder_id, user__isnull=False).exists():
        return
    from withdrawals.tasks import notify_named_person

    enqueue_on_commit(notify_named_person, application.pk)


def _check_certificate_reuse(application, cardholder, kind, number, actor, reason, ip_address):
    """Refuse a certificate number already recorded for another person, unless a
    second staff member (not who was refused) accepts it with a written reason."""
    field = "death_certificate_number" if kind == "death" else "emigration_certificate_number"
    other = (
        Cardholder.objects.filter(**{f"{field}__iexact": number})
        .exclude(pk=cardholder.pk)
        .order_by("id")
        .first()
    )
    if other is None:
        return
    code = (
        safeguards.DEATH_CERTIFICATE_REUSED
        if kind == "death"
        else safeguards.EXIT_CERTIFICATE_REUSED
    )
    reason = " ".join(str(reason or "").split())
    flagged = (
        CertificateReuse.objects.filter(
            application=application, kind=kind, number__iexact=number, overridden_by__isnull=True
        )
        .exclude(flagged_by=actor)
        .first()
    )
    if flagged is not None and reason:
        CertificateReuse.objects.filter(pk=flagged.pk).update(
            overridden_by=actor, override_reason=reason, overridden_at=timezone.now()
        )
        _note(
            application,
            actor,
            notes.note(
                withdrawal_notes.CERTIFICATE_ACCEPTED,
                number=number,
                other=other.masked_national_id,
                who=actor.get_username(),
                reason=reason,
            ),
            ip_address=ip_address,
            staff_only=True,
        )
        return
    raise CertificateReused(
        _(
            "This certificate number is already recorded for another person. A second "
            "staff member can accept it with a written reason."
        ),
        code=code,
        field="certificate_number",
        refusal=(application.pk, cardholder.pk, other.pk, kind, number, actor.pk),
    )


class CertificateReused(DomainError):
    status = 409

    def __init__(self, message=None, *, refusal, **kwargs):
        self.refusal = refusal
        super().__init__(message, **kwargs)


def _keeps_certificate_refusal(verify):
    """Run `verify`; when it refuses a re-used certificate, keep the refusal on both
    records after its transaction rolled back, then raise it."""

    @functools.wraps(verify)
    def wrapper(application, **kwargs):
        try:
            return verify(application, **kwargs)
        except CertificateReused as exc:
            _save_certificate_refusal(*exc.refusal, exc.code)
            raise

    return wrapper


@transaction.atomic
def _save_certificate_refusal(
    application_pk, cardholder_pk, other_pk, kind, number, actor_pk, code
):
    reuse = CertificateReuse.objects.create(
        kind=kind,
        number=number,
        application_id=application_pk,
        cardholder_id=cardholder_pk,
        other_cardholder_id=other_pk,
        flagged_by_id=actor_pk,
    )
    other = Cardholder.objects.get(pk=other_pk)
    application = WithdrawalApplication.objects.get(pk=application_pk)
    _note(
        application,
        reuse.flagged_by,
        notes.note(
            withdrawal_notes.CERTIFICATE_REFUSED,
            refusal=code,
            number=number,
            other=other.masked_national_id,
        ),
        staff_only=True,
    )


# Refused re-uses of a certificate are kept although the verification rolls back.
cardholder_verify_death = _keeps_certificate_refusal(cardholder_verify_death)
cardholder_verify_emigration = _keeps_certificate_refusal(cardholder_verify_emigration)


@transaction.atomic
def application_verify_applicant(application, *, actor, ip_address=None):
    """A reviewer records that the applicant's identity document matches the identity
    the applicant registered with (name and ID number). Part of the approval facts.
    Repeating it changes nothing."""
    _require_perm(actor, "review_application")
    locked = _lock(application)
    _require_not_own(locked, actor)
    if locked.status not in WORKFLOW.open_states:
        raise IllegalTransition(_("Only a claim under review can have its applicant verified."))
    if locked.applicant_verified_by_id is None:
        now = timezone.now()
        WithdrawalApplication.objects.filter(pk=locked.pk).update(
            applicant_verified_by=actor, applicant_verified_at=now
        )
        WithdrawalApplication.objects.filter(pk=locked.pk).update(updated_at=now)
        locked.applicant_verified_by, locked.applicant_verified_at = actor, now
        heir_services.applicant_heir_verified(locked, actor)
        _note(
            locked,
            actor,
            notes.note(withdrawal_notes.APPLICANT_VERIFIED),
            ip_address=ip_address,
        )
    _copy(locked, application)
    return application


@transaction.atomic
def payout_update_bank_by_applicant(
    application, *, actor, bank_name, bank_account_holder, bank_account_number
):
    """After a failed payment the applicant gives new bank details in their own name:
    payout_failed → approved, to go out with the next batch."""
    _require_applicant(application, actor)
    name, holder, number = _clean_bank(bank_name, bank_account_holder, bank_account_number)
    locked = _lock(application)
    _require_payee_is_applicant(locked.applicant, holder)
    _transition(
        locked,
        PAYOUT_REQUEUED,
        actor,
        notes.note(
            withdrawal_notes.BANK_BY_APPLICANT, bank=name, tail=re.sub(r"\D", "", number)[-4:]
        ),
        bank_name=name,
        bank_account_holder=holder,
        bank_account_number=number,
        pending_payee=None,
        payout_sent_at=None,
    )
    _copy(locked, application)
    return application
