"""Every write of the withdrawals app: one function per use case, each one transaction.

Status changes go through `_transition`, which refuses pairs not in
`models.TRANSITIONS`, compares-and-sets the status (a race loses cleanly) and
writes the timeline event. Money moves only through `accounts.ledger.post`.
"""

import dataclasses
import functools
import logging
import re
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ledger
from accounts.exceptions import DomainError, InvalidInput
from accounts.ledger import Leg
from accounts.models import ZERO, Account, Cardholder, LedgerTransaction, Scheme
from accounts.validators import parse_national_id
from sscard.celery import enqueue_on_commit
from withdrawals import eligibility, inspection, safeguards, storage
from withdrawals.exceptions import (
    AlreadyDecided,
    DocumentRefused,
    Forbidden,
    IdentificationFailed,
    IllegalTransition,
    IneligibleError,
    SamePerson,
    TooManyAttempts,
)
from withdrawals.models import (
    CLAIMING_STATES,
    DECIDED_STATES,
    EDITABLE_STATES,
    REVIEW_STATES,
    TRANSITIONS,
    WITHDRAWABLE_STATES,
    ApplicationEvent,
    DocumentKind,
    Finding,
    Reason,
    Relationship,
    Status,
    SupportingDocument,
    WithdrawalApplication,
)

logger = logging.getLogger(__name__)

# States whose change concerns the applicant: they get an email.
NOTIFY_STATES = frozenset(
    {Status.SUBMITTED, Status.NEEDS_DOCUMENTS, Status.APPROVED, Status.REJECTED, Status.PAID}
)

IDENTIFY_MAX_ATTEMPTS = getattr(settings, "SSCARD_IDENTIFY_MAX_ATTEMPTS", 10)
IDENTIFY_WINDOW_SECONDS = getattr(settings, "SSCARD_IDENTIFY_WINDOW_SECONDS", 3600)
# Automatic document-review rounds (the first plus the sweeper's re-queues) per submission.
REVIEW_MAX_ROUNDS = getattr(settings, "SSCARD_REVIEW_MAX_ROUNDS", 6)

_ACCOUNT_NUMBER = re.compile(r"^[0-9][0-9 \-]*[0-9]$")


# --- the state machine -------------------------------------------------------


def _transition(application, from_states, to, actor, note="", *, ip_address=None, **fields):
    """Move `application` from its current status (one of `from_states`) to `to`.

    Compare-and-set on the status the caller saw: if someone else changed it in
    the meantime, nothing is written and IllegalTransition is raised. Writes the
    event row and queues the applicant's email (after commit) where it concerns them.
    """
    old = application.status
    if old not in from_states or (old, to) not in TRANSITIONS:
        raise IllegalTransition(
            _("The application is %(status)s; it cannot become %(to)s.")
            % {"status": _label(old), "to": _label(to)}
        )
    now = timezone.now()
    updated = WithdrawalApplication.objects.filter(pk=application.pk, status=old).update(
        status=to, updated_at=now, **fields
    )
    if not updated:
        current = (
            WithdrawalApplication.objects.filter(pk=application.pk)
            .values_list("status", flat=True)
            .first()
        )
        raise IllegalTransition(
            _("The application changed meanwhile (it is now %(status)s).")
            % {"status": _label(current)}
        )
    application.status = to
    application.updated_at = now
    for name, value in fields.items():
        if isinstance(value, F | Q):
            application.refresh_from_db(fields=[name])
        else:
            setattr(application, name, value)
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        old_status=old,
        new_status=to,
        note=note,
        ip_address=ip_address,
    )
    if to in NOTIFY_STATES:
        _notify(application, event)
    return event


def _label(status):
    return Status(status).label if status in Status.values else str(status)


def _note(application, actor, note, *, ip_address=None, staff_only=False):
    """A timeline line without a change of status (verification, notice, warnings)."""
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        old_status=application.status,
        new_status=application.status,
        note=note,
        ip_address=ip_address,
        staff_only=staff_only,
    )


def _notify(application, event):
    from withdrawals.tasks import send_notification

    enqueue_on_commit(send_notification, application.pk, event.pk)


def _queue_review(application):
    from withdrawals.tasks import review_application

    enqueue_on_commit(review_application, application.pk)


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(f"withdrawals.{perm}"):
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


def _require_applicant(application, actor):
    if actor is None or application.applicant_id != actor.pk:
        raise Forbidden(_("Only the applicant can do this."))


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
        or cardholder.name.strip() != given_name
        or cardholder.card_number.strip().upper() != given_card
    ):
        raise IdentificationFailed()
    return cardholder


# --- eligibility facts ---------------------------------------------------------


def _claims(schemes):
    q = Q()
    for scheme in schemes:
        if scheme == eligibility.PENSION:
            q |= Q(claims_pension=True)
        elif scheme == eligibility.MEDICAL:
            q |= Q(claims_medical=True)
    return q


def _claimed_elsewhere(cardholder, schemes, exclude_pk=None):
    """The schemes among `schemes` another open application already claims."""
    if not schemes:
        return set()
    wanted = _claims(schemes)
    if not wanted:
        return set()
    others = WithdrawalApplication.objects.filter(
        wanted, cardholder=cardholder, status__in=CLAIMING_STATES
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    claimed = set()
    for pension, medical in others.values_list("claims_pension", "claims_medical"):
        if pension:
            claimed.add(eligibility.PENSION)
        if medical:
            claimed.add(eligibility.MEDICAL)
    return claimed & set(schemes)


def _account_facts(cardholder, schemes, exclude_pk=None):
    accounts = {
        account.scheme: account
        for account in cardholder.accounts.filter(kind=Account.Kind.PERSONAL, scheme__in=schemes)
    }
    claimed = _claimed_elsewhere(cardholder, schemes, exclude_pk)
    facts = []
    for scheme in schemes:
        account = accounts.get(scheme)
        if account is None:
            facts.append(
                eligibility.AccountFacts(
                    scheme=scheme,
                    kind=eligibility.PERSONAL,
                    status="missing",
                    balance=0,
                    claimed_elsewhere=scheme in claimed,
                )
            )
        else:
            facts.append(
                eligibility.AccountFacts(
                    scheme=scheme,
                    kind=account.kind,
                    status=account.status,
                    balance=account.balance,
                    claimed_elsewhere=scheme in claimed,
                )
            )
    return tuple(facts)


def _death_verified(cardholder):
    return (
        cardholder.life_status == Cardholder.LifeStatus.DECEASED
        and cardholder.date_of_death is not None
        and bool(cardholder.death_certificate_number)
    )


def _emigration_verified(cardholder):
    return (
        cardholder.life_status == Cardholder.LifeStatus.EMIGRATED
        and cardholder.emigrated_on is not None
        and bool(cardholder.emigration_certificate_number)
    )


def _applicant_is_cardholder(applicant, cardholder):
    return (
        cardholder.user_id is not None
        and applicant is not None
        and cardholder.user_id == applicant.pk
    )


def balances_disclosed(applicant, cardholder, reason):
    """Whether `applicant` may see the amounts of `cardholder`'s accounts now."""
    return safeguards.balances_disclosed(
        applicant_is_cardholder=_applicant_is_cardholder(applicant, cardholder),
        reason=reason,
        death_verified=_death_verified(cardholder),
    )


def _facts(*, stage, applicant, cardholder, reason, relationship, accounts, documents=None):
    attached, passed = documents or (frozenset(), frozenset())
    return eligibility.Facts(
        stage=stage,
        reason=reason,
        applicant_is_cardholder=_applicant_is_cardholder(applicant, cardholder),
        relationship=relationship,
        life_status=cardholder.life_status,
        death_verified=_death_verified(cardholder),
        emigration_verified=_emigration_verified(cardholder),
        nationality_given_up=cardholder.nationality_given_up,
        accounts=accounts,
        documents_attached=attached,
        documents_passed=passed,
        today=timezone.localdate(),
    )


def default_schemes(cardholder):
    """The personal accounts with something in them: what a claim takes by default."""
    return list(
        cardholder.accounts.filter(
            kind=Account.Kind.PERSONAL, status=Account.Status.OPEN, balance__gt=0
        )
        .order_by("scheme")
        .values_list("scheme", flat=True)
    )


def eligibility_facts(application, stage):
    """Capture the facts the rules look at for `application` at `stage`."""
    cardholder = Cardholder.objects.get(pk=application.cardholder_id)
    kinds = application.documents.values_list("kind", "finding")
    attached = frozenset(kind for kind, _finding in kinds)
    passed = frozenset(kind for kind, finding in kinds if finding == Finding.PASSED)
    facts = _facts(
        stage=stage,
        applicant=application.applicant,
        cardholder=cardholder,
        reason=application.reason,
        relationship=application.relationship,
        accounts=_account_facts(cardholder, application.schemes, exclude_pk=application.pk),
        documents=(attached, passed),
    )
    # The written notice is a fact only once it was confirmed with a time and a name.
    return dataclasses.replace(
        facts,
        notice_confirmed=bool(
            application.notice_confirmed_at and application.notice_confirmed_name
        ),
    )


def application_decision(application, stage, approver=None):
    """The eligibility decision on `application` at `stage` (nothing is written).
    At approval it includes the safeguards on who decides (`approver`)."""
    decision = eligibility.evaluate(eligibility_facts(application, stage))
    if stage != eligibility.APPROVAL or approver is None:
        return decision
    extra = safeguards.approval_reasons(decision_facts(application, approver))
    return eligibility.Decision(
        allowed=decision.allowed and not extra,
        reasons=(*decision.reasons, *extra),
        rules_version=decision.rules_version,
    )


def precheck(*, applicant, cardholder, reason, relationship, schemes=None):
    """Answer "could I claim?" before any draft exists (nothing is written)."""
    if schemes is None:
        schemes = default_schemes(cardholder)
    facts = _facts(
        stage=eligibility.PRECHECK,
        applicant=applicant,
        cardholder=cardholder,
        reason=reason,
        relationship=relationship,
        accounts=_precheck_accounts(cardholder, schemes),
    )
    return eligibility.evaluate(facts)


def _precheck_accounts(cardholder, schemes):
    personal = [s for s in schemes if s in eligibility.SCHEMES_WITH_PERSONAL_ACCOUNT]
    facts = list(_account_facts(cardholder, personal))
    # A scheme without a personal account is reported by the rules, not hidden here.
    for scheme in schemes:
        if scheme not in eligibility.SCHEMES_WITH_PERSONAL_ACCOUNT:
            facts.append(
                eligibility.AccountFacts(
                    scheme=scheme, kind=eligibility.PERSONAL, status="open", balance=0
                )
            )
    return tuple(facts)


def _record_decision(application, stage, decision, **extra):
    """Store the decision on the application (in the caller's transaction)."""
    entry = {
        "stage": stage,
        "allowed": decision.allowed,
        "codes": list(decision.codes),
        "rules_version": decision.rules_version,
        "at": timezone.now().isoformat(),
    }
    fields = {
        "rules_version": decision.rules_version,
        "decision_stage": stage,
        "decision_codes": list(decision.codes),
        "decisions": [*list(application.decisions or []), entry],
        **extra,
    }
    return fields


def _save_refusal(application_pk, stage, decision):
    """Keep a refused decision on the record even though the change is refused."""
    with transaction.atomic():
        application = WithdrawalApplication.objects.select_for_update().get(pk=application_pk)
        fields = _record_decision(application, stage, decision)
        WithdrawalApplication.objects.filter(pk=application_pk).update(**fields)
        _note(
            application,
            None,
            _("Eligibility check (%(stage)s) refused: %(codes)s")
            % {"stage": stage, "codes": ", ".join(decision.codes)},
            staff_only=stage == eligibility.APPROVAL,
        )


# --- the applicant -------------------------------------------------------------


def _clean_text(value, field, max_length):
    text = " ".join(str(value or "").split())
    if safeguards.format_characters(text):
        raise InvalidInput(
            _("Remove the invisible control or formatting characters from this field."),
            code=safeguards.FORMAT_CHARACTERS,
            field=field,
        )
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
):
    """Start a claim. Refused (IneligibleError, with every reason) unless the
    pre-check allows it; the draft gets its reference number (WD-YYYY-NNNNNN)."""
    if relationship not in Relationship.values:
        raise InvalidInput(
            _("Choose your relationship to the cardholder."),
            code="invalid_choice",
            field="relationship",
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
    )
    for name, value in _record_decision(application, eligibility.PRECHECK, decision).items():
        setattr(application, name, value)
    application.save()
    application.reference = _next_reference(application)
    WithdrawalApplication.objects.filter(pk=application.pk).update(reference=application.reference)
    ApplicationEvent.objects.create(
        application=application,
        actor=applicant,
        old_status="",
        new_status=Status.DRAFT,
        note=_("Application started."),
    )
    return application


@transaction.atomic
def application_update_bank(
    application, *, actor, bank_name, bank_account_holder, bank_account_number
):
    """The applicant corrects the payout bank details while the claim is editable."""
    _require_applicant(application, actor)
    application = _lock(application)
    if application.status not in EDITABLE_STATES:
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
    """Attach an uploaded file to a draft (or a claim waiting for documents).

    Only the applicant. The file is streamed under a generated name inside
    DOCUMENT_ROOT while its size and SHA-256 are computed; an empty, oversized or
    non PDF/JPEG/PNG file is refused (DocumentRefused with the problem's code) and
    nothing is kept. The original name is stored sanitised, for display only.
    """
    _require_applicant(application, uploader)
    if kind not in DocumentKind.values:
        raise InvalidInput(
            _("Choose what kind of document this is."), code="invalid_choice", field="kind"
        )
    if application.status not in EDITABLE_STATES:
        raise IllegalTransition(_("Documents can only be added to a draft or when requested."))
    _require_room_for_documents(application)
    max_bytes = settings.DOCUMENT_MAX_BYTES
    chunks = (
        uploaded_file.chunks()
        if hasattr(uploaded_file, "chunks")
        else iter(lambda: uploaded_file.read(storage.CHUNK), b"")
    )
    stored = storage.save_stream(chunks, max_bytes=max_bytes)
    try:
        problems = inspection.inspect_upload(stored.head, stored.size, max_bytes=max_bytes)
        if problems:
            raise DocumentRefused(problems[0].message, code=problems[0].code, field="file")
        with transaction.atomic():
            application = _lock(application)
            if application.status not in EDITABLE_STATES:
                raise IllegalTransition(
                    _("Documents can only be added to a draft or when requested.")
                )
            _require_room_for_documents(application, adding=stored.size)
            document = SupportingDocument.objects.create(
                application=application,
                kind=kind,
                stored_name=stored.stored_name,
                original_name=inspection.sanitize_filename(getattr(uploaded_file, "name", "")),
                size=stored.size,
                sha256=stored.sha256,
                content_type=inspection.sniff_type(stored.head) or "",
                uploaded_by=uploader,
            )
            _note(
                application,
                uploader,
                _("Document added: %(kind)s.") % {"kind": document.get_kind_display()},
            )
    except BaseException:
        storage.delete(stored.stored_name)
        raise
    return document


@transaction.atomic
def document_remove(*, document, actor):
    """The applicant removes a document from a draft (or a claim waiting for documents)."""
    application = _lock(document.application)
    _require_applicant(application, actor)
    if application.status not in EDITABLE_STATES:
        raise IllegalTransition(_("Documents can only be removed from a draft or when requested."))
    stored_name = document.stored_name
    SupportingDocument.objects.filter(pk=document.pk).delete()
    _note(
        application,
        actor,
        _("Document removed: %(kind)s.") % {"kind": document.get_kind_display()},
    )
    transaction.on_commit(lambda: storage.delete(stored_name))


@transaction.atomic
def application_confirm_notice(application, *, actor, full_name):
    """The emigrating cardholder confirms in writing, after reading the notice, that
    they want to close the pension personal account (MOHRSS Order No. 13 Art. 6).
    The typed name must be the cardholder's; time and name are recorded."""
    _require_applicant(application, actor)
    application = _lock(application)
    if application.status not in EDITABLE_STATES:
        raise IllegalTransition()
    if not application.needs_notice:
        raise DomainError(
            _("This application does not need the pension notice."), code="notice_not_needed"
        )
    typed = " ".join(str(full_name or "").split())
    if not typed or typed != " ".join(application.cardholder.name.split()):
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
    _note(application, actor, _("Written notice read and confirmed by %(name)s.") % {"name": typed})
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
            if locked.status not in (Status.DRAFT, Status.NEEDS_DOCUMENTS):
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
            _transition(
                locked,
                (Status.DRAFT, Status.NEEDS_DOCUMENTS),
                Status.SUBMITTED,
                actor,
                _("Submitted for review."),
                **fields,
            )
            _queue_review(locked)
            _queue_named_person_notice(locked)
    except IneligibleError as exc:
        _save_refusal(application.pk, eligibility.SUBMISSION, exc.decision)
        raise
    _copy(locked, application)
    return application


def _copy(source, target):
    if source is not target:
        target.__dict__.update(
            {k: v for k, v in source.__dict__.items() if not k.startswith("_state")}
        )


@transaction.atomic
def application_withdraw(application, *, actor):
    """The applicant withdraws the claim, any time before it is approved."""
    _require_applicant(application, actor)
    locked = _lock(application)
    if locked.status not in WITHDRAWABLE_STATES:
        if locked.status in DECIDED_STATES:
            raise AlreadyDecided()
        raise IllegalTransition()
    _transition(
        locked, WITHDRAWABLE_STATES, Status.WITHDRAWN, actor, _("Withdrawn by the applicant.")
    )
    _copy(locked, application)
    return application


# --- the review worker -----------------------------------------------------------


@transaction.atomic
def application_start_review(application_id):
    """submitted → in_review. Safe to run twice; returns the application, or None
    when there is nothing to review any more (withdrawn, decided…)."""
    application = (
        WithdrawalApplication.objects.select_for_update().filter(pk=application_id).first()
    )
    if application is None or application.status not in REVIEW_STATES:
        return None
    if application.status == Status.SUBMITTED:
        _transition(
            application,
            (Status.SUBMITTED,),
            Status.IN_REVIEW,
            None,
            _("Automated document check started."),
            review_attempts=F("review_attempts") + 1,
        )
    return application


def _duplicate_elsewhere(document):
    return (
        SupportingDocument.objects.filter(sha256=document.sha256)
        .exclude(application__cardholder_id=document.application.cardholder_id)
        .exclude(application__status=Status.DRAFT)
    )


@transaction.atomic
def document_record_finding(document_id, inspection):
    """Record the automated finding on a document, once (only while pending).

    Also flags the document when the same bytes are attached to another
    cardholder's application: a signal for the reviewer, not a failure.
    Returns True when this call recorded the finding.
    """
    document = (
        SupportingDocument.objects.select_related("application").filter(pk=document_id).first()
    )
    if document is None or document.finding != Finding.PENDING:
        return False
    others = list(_duplicate_elsewhere(document).values_list("pk", flat=True))
    detail = [p.message for p in inspection.problems]
    codes = list(inspection.codes)
    if others:
        detail.append(
            "The same file is attached to another cardholder's application: check for fraud."
        )
    updated = SupportingDocument.objects.filter(pk=document_id, finding=Finding.PENDING).update(
        finding=Finding.PASSED if inspection.passed else Finding.FAILED,
        finding_codes=codes,
        finding_detail="\n".join(detail),
        content_type=inspection.content_type or document.content_type,
        reviewed_at=timezone.now(),
        duplicate_of_other_cardholder=bool(others),
    )
    if updated and others:
        SupportingDocument.objects.filter(pk__in=others).update(duplicate_of_other_cardholder=True)
    return bool(updated)


@transaction.atomic
def application_finish_review(application_id):
    """in_review → awaiting_decision once every document has a finding. Safe to repeat."""
    application = (
        WithdrawalApplication.objects.select_for_update().filter(pk=application_id).first()
    )
    if application is None or application.status != Status.IN_REVIEW:
        return application
    if application.documents.filter(finding=Finding.PENDING).exists():
        return application
    documents = list(application.documents.values_list("finding", "duplicate_of_other_cardholder"))
    failed = sum(1 for finding, _dup in documents if finding == Finding.FAILED)
    duplicates = sum(1 for _finding, dup in documents if dup)
    note = _("Automated document check finished: %(n)d checked, %(failed)d with problems.") % {
        "n": len(documents),
        "failed": failed,
    }
    _transition(application, (Status.IN_REVIEW,), Status.AWAITING_DECISION, None, note)
    if duplicates:
        # A fraud signal: staff see it, the applicant does not.
        _note(
            application,
            None,
            _("%(n)d file(s) also used for another cardholder.") % {"n": duplicates},
            staff_only=True,
        )
    return application


@transaction.atomic
def application_record_note(application_id, *, note, actor=None):
    """Put a line on the timeline without changing the status (e.g. for a human)."""
    application = WithdrawalApplication.objects.get(pk=application_id)
    return _note(application, actor, note)


@transaction.atomic
def application_requeue_review(application_id):
    """Queue the document review again for a claim stuck in submitted / in_review.

    Compare-and-set on review_queued_at, so two sweepers queue it once. Bounded: after
    REVIEW_MAX_ROUNDS automatic rounds since the last submission (first review plus
    re-queues) it is left for a human, with a note saying so, instead of looping.
    """
    application = WithdrawalApplication.objects.filter(pk=application_id).first()
    if application is None or application.status not in REVIEW_STATES:
        return False
    if application.review_attempts >= REVIEW_MAX_ROUNDS:
        return False  # a human was told; the sweeper does not loop on it
    updated = WithdrawalApplication.objects.filter(
        pk=application.pk,
        status__in=REVIEW_STATES,
        review_queued_at=application.review_queued_at,
    ).update(review_queued_at=timezone.now(), review_attempts=F("review_attempts") + 1)
    if not updated:
        return False
    if application.review_attempts + 1 >= REVIEW_MAX_ROUNDS:
        _note(
            application,
            None,
            _(
                "The automatic document check did not finish after %(n)d rounds; it is not "
                "queued again. A staff member must look at it."
            )
            % {"n": REVIEW_MAX_ROUNDS},
        )
        return False
    _note(application, None, _("Document check queued again (it was taking too long)."))
    _queue_review(application)
    return True


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
        (Status.IN_REVIEW, Status.AWAITING_DECISION),
        Status.NEEDS_DOCUMENTS,
        actor,
        text,
        ip_address=ip_address,
        request_message=text,
        reviewed_by=actor,
    )
    _copy(locked, application)
    return application


def _verifiable(application):
    if application.status not in (
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.NEEDS_DOCUMENTS,
        Status.AWAITING_DECISION,
    ):
        raise IllegalTransition(_("Only a claim under review can be verified."))


def _clean_past_date(value, field):
    if not isinstance(value, date):
        raise InvalidInput(_("Enter a date."), code="required", field=field)
    if value > timezone.localdate():
        raise InvalidInput(_("The date cannot be in the future."), code="future_date", field=field)
    return value


@transaction.atomic
def cardholder_verify_death(
    application,
    *,
    actor,
    date_of_death,
    certificate_number,
    ip_address=None,
    reuse_override_reason="",
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
    Cardholder.objects.filter(pk=cardholder.pk).update(
        life_status=Cardholder.LifeStatus.DECEASED,
        date_of_death=when,
        death_certificate_number=number,
        updated_at=timezone.now(),
    )
    WithdrawalApplication.objects.filter(pk=locked.pk).update(verified_by=actor)
    locked.verified_by = actor
    _note(
        locked,
        actor,
        _("Death verified: died on %(date)s, certificate %(number)s.")
        % {"date": when.isoformat(), "number": number},
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
    Cardholder.objects.filter(pk=cardholder.pk).update(
        life_status=Cardholder.LifeStatus.EMIGRATED,
        emigrated_on=when,
        emigration_country=country,
        emigration_certificate_number=number,
        nationality_given_up=bool(nationality_given_up),
        updated_at=timezone.now(),
    )
    WithdrawalApplication.objects.filter(pk=locked.pk).update(verified_by=actor)
    locked.verified_by = actor
    _note(
        locked,
        actor,
        _(
            "Emigration verified: settled in %(country)s on %(date)s, certificate %(number)s; "
            "PRC nationality given up: %(given_up)s."
        )
        % {
            "country": country,
            "date": when.isoformat(),
            "number": number,
            "given_up": _("yes") if nationality_given_up else _("no"),
        },
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
            if locked.status in DECIDED_STATES:
                raise AlreadyDecided()
            if locked.status != Status.AWAITING_DECISION:
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
            now = timezone.now()
            fields = _record_decision(locked, eligibility.APPROVAL, decision)
            fields.update(
                amount=total,
                payout_transaction=txn,
                approved_by=actor,
                decided_at=now,
            )
            _transition(
                locked,
                (Status.AWAITING_DECISION,),
                Status.APPROVED,
                actor,
                _("Approved: %(amount)s yuan to be paid to %(holder)s.")
                % {"amount": total, "holder": locked.bank_account_holder},
                ip_address=ip_address,
                **fields,
            )
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
    if locked.status in DECIDED_STATES:
        raise AlreadyDecided()
    _require_not_own(locked, actor)
    _transition(
        locked,
        (Status.IN_REVIEW, Status.AWAITING_DECISION),
        Status.REJECTED,
        actor,
        text,
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
        .filter(pk__in=ids, status=Status.APPROVED, payout_sent_at__isnull=True)
        .order_by("id")
    )
    now = timezone.now()
    WithdrawalApplication.objects.filter(pk__in=[a.pk for a in locked]).update(
        payout_sent_at=now, updated_at=now
    )
    for application in locked:
        application.payout_sent_at = now
        _note(application, actor, _("Sent to the bank for payment."), ip_address=ip_address)
    return locked


@transaction.atomic
def payout_mark_paid(application, *, actor=None, note=""):
    """The bank confirms the payment: approved → paid; the money leaves payouts
    payable for paid out. Exactly once (the ledger key and the status both guard)."""
    locked = _lock(application)
    if locked.status == Status.PAID:
        raise AlreadyDecided(_("The payment was already confirmed."))
    if locked.status != Status.APPROVED:
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
        (Status.APPROVED,),
        Status.PAID,
        actor,
        note or _("Paid: the bank confirmed the transfer."),
    )
    _copy(locked, application)
    return application


@transaction.atomic
def payout_mark_failed(application, *, actor=None, note, ip_address=None):
    """The bank reports the payment failed: approved → payout_failed. Nothing moves;
    the money stays payable until staff correct the bank details and re-queue it."""
    if actor is not None:
        _require_perm(actor, "manage_payouts")
    locked = _lock(application)
    if locked.status != Status.APPROVED:
        raise IllegalTransition(
            _("The application is %(status)s; its payment cannot fail now.")
            % {"status": locked.get_status_display()}
        )
    if locked.payout_sent_at is None:
        raise DomainError(_("The payment was never sent to the bank."), code="not_sent")
    text = str(note or "").strip() or _("The bank could not make the payment.")
    _transition(
        locked, (Status.APPROVED,), Status.PAYOUT_FAILED, actor, text, ip_address=ip_address
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
    if locked.status != Status.PAYOUT_FAILED:
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
        WithdrawalApplication.objects.filter(pk=locked.pk).update(
            pending_payee=proposal, updated_at=timezone.now()
        )
        locked.pending_payee = proposal
        _note(
            locked,
            actor,
            _(
                "New payout details proposed by %(who)s: %(bank)s, %(holder)s, account ending "
                "%(tail)s. A second staff member must confirm them."
            )
            % shown,
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
        (Status.PAYOUT_FAILED,),
        Status.APPROVED,
        actor,
        _(
            "Bank details corrected (proposed by %(proposer)s, confirmed by %(who)s): "
            "%(bank)s, %(holder)s, account ending %(tail)s. The payment goes out with the "
            "next batch."
        )
        % {**shown, "proposer": proposer or "?"},
        ip_address=ip_address,
        pending_payee=None,
        payout_sent_at=None,
        **details,
    )
    _copy(locked, application)
    return application


# --- safeguards on a claim ------------------------------------------------------------


def _require_payee_is_applicant(applicant, holder):
    from withdrawals.selectors import applicant_identity

    if not safeguards.payee_matches(holder, applicant_identity(applicant).name):
        raise InvalidInput(
            _("The payout account must be in your own name, exactly as on your identity card."),
            code=safeguards.PAYEE_NOT_APPLICANT,
            field="bank_account_holder",
        )


def _require_room_for_documents(application, adding=0):
    """At most SSCARD_CLAIM_MAX_DOCUMENTS files and SSCARD_CLAIM_MAX_DOCUMENT_BYTES
    bytes per claim (checked before the upload is read, and again with its size)."""
    kept = SupportingDocument.objects.filter(application_id=application.pk).aggregate(
        n=Count("id"), size=Sum("size")
    )
    count, size = kept["n"] or 0, kept["size"] or 0
    if count + 1 > settings.SSCARD_CLAIM_MAX_DOCUMENTS:
        raise DocumentRefused(
            _("A claim can have at most %(n)d documents. Remove one before adding another.")
            % {"n": settings.SSCARD_CLAIM_MAX_DOCUMENTS},
            code=safeguards.TOO_MANY_DOCUMENTS,
            field="file",
        )
    if size + adding > settings.SSCARD_CLAIM_MAX_DOCUMENT_BYTES:
        raise DocumentRefused(
            _("The documents of a claim can be at most %(mb)d MB together.")
            % {"mb": settings.SSCARD_CLAIM_MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code=safeguards.DOCUMENTS_TOO_LARGE,
            field="file",
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
    from withdrawals.models import CertificateReuse

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
            _(
                "Certificate %(number)s is also recorded for another person (%(other)s); "
                "accepted by %(who)s: %(reason)s"
            )
            % {
                "number": number,
                "other": other.masked_national_id,
                "who": actor.get_username(),
                "reason": reason,
            },
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
    from withdrawals.models import CertificateReuse

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
        _(
            "Refused (%(code)s): certificate %(number)s is already recorded for another "
            "person (%(other)s)."
        )
        % {"code": code, "number": number, "other": other.masked_national_id},
        staff_only=True,
    )


# Refused re-uses of a certificate are kept although the verification rolls back.
cardholder_verify_death = _keeps_certificate_refusal(cardholder_verify_death)
cardholder_verify_emigration = _keeps_certificate_refusal(cardholder_verify_emigration)


def decision_facts(application, approver):
    """Who did what on `application`, for the safeguards of approval by `approver`."""
    cardholder = Cardholder.objects.get(pk=application.cardholder_id)
    cardholder_user = cardholder.user_id
    return safeguards.DecisionFacts(
        approver=getattr(approver, "pk", None),
        applicant=application.applicant_id,
        cardholder_user=cardholder_user,
        verifier=application.verified_by_id,
        documents_requested_by=application.reviewed_by_id,
        applicant_verified_by=application.applicant_verified_by_id,
        contested=application.status == Status.CONTESTED,
        on_record=(
            _death_verified(cardholder)
            if application.reason == Reason.DEATH
            else _emigration_verified(cardholder)
        ),
    )


@transaction.atomic
def application_verify_applicant(application, *, actor, ip_address=None):
    """A reviewer records that the applicant's identity document matches the identity
    the applicant registered with (name and ID number). Part of the approval facts.
    Repeating it changes nothing."""
    _require_perm(actor, "review_application")
    locked = _lock(application)
    _require_not_own(locked, actor)
    if locked.status not in (
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.NEEDS_DOCUMENTS,
        Status.AWAITING_DECISION,
        Status.CONTESTED,
    ):
        raise IllegalTransition(_("Only a claim under review can have its applicant verified."))
    if locked.applicant_verified_by_id is None:
        now = timezone.now()
        WithdrawalApplication.objects.filter(pk=locked.pk).update(
            applicant_verified_by=actor, applicant_verified_at=now, updated_at=now
        )
        locked.applicant_verified_by, locked.applicant_verified_at = actor, now
        _note(
            locked,
            actor,
            _("The applicant's identity document was checked against their registered identity."),
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
        (Status.PAYOUT_FAILED,),
        Status.APPROVED,
        actor,
        _("New bank details given by the applicant: %(bank)s, account ending %(tail)s.")
        % {"bank": name, "tail": re.sub(r"\D", "", number)[-4:]},
        bank_name=name,
        bank_account_holder=holder,
        bank_account_number=number,
        pending_payee=None,
        payout_sent_at=None,
    )
    _copy(locked, application)
    return application
