"""Every write of the yearly living check (待遇资格认证): one function per use case,
each one transaction.

Confirmations on one claim are serialised on the claim's row, locked first: two
confirmations racing end with one consistent due date. A confirmation is never changed;
a second one on the same day changes nothing.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Cardholder
from casework.exceptions import Forbidden, SamePerson
from core.errors import InvalidInput, InvalidTransition
from pensions import living_check, selectors
from pensions.exceptions import NotInPayment, PensionerNotLiving
from pensions.models import (
    WORKFLOW,
    LivingCheckConfirmation,
    LivingCheckNotice,
    RelativeLivingCheck,
    RetirementClaim,
)

logger = logging.getLogger(__name__)

TEXT_MAX = {"relative_name": 100, "relationship": 50, "proof": 300}


def _today(today):
    return today or timezone.localdate()


def _lock_in_payment(claim_id):
    claim = (
        RetirementClaim.objects.select_for_update().select_related("cardholder").get(pk=claim_id)
    )
    if claim.status != WORKFLOW.states.APPROVED or claim.starts_on is None:
        raise NotInPayment(field="claim")
    if claim.cardholder.life_status != Cardholder.LifeStatus.LIVING:
        raise PensionerNotLiving(field="claim")
    return claim


def _confirm(claim, *, confirmed_on, how, who, **people):
    """Write the confirmation on the locked `claim` (or return the one already made
    that day). The due date only moves forward."""
    existing = LivingCheckConfirmation.objects.filter(claim=claim, confirmed_on=confirmed_on)
    if existing.exists():
        return existing.get()
    due_before = selectors.living_check_due(claim)
    released = []
    if confirmed_on > due_before:
        released = [
            f"{y:04d}-{m:02d}" for y, m in living_check.released_months(due_before, confirmed_on)
        ]
    return LivingCheckConfirmation.objects.create(
        claim=claim,
        confirmed_on=confirmed_on,
        how=how,
        who=who,
        due_before=due_before,
        next_due=max(due_before, living_check.next_due(confirmed_on)),
        released_months=released,
        **people,
    )


@transaction.atomic
def living_check_confirm_online(*, cardholder, actor, today=None):
    """The pensioner confirms their own living check online, after re-entering their
    password (the page and the API check it with accounts.reauth). Returns the
    confirmation; the next due date is twelve months on. Confirming twice on a day
    changes nothing; months suspended by a lapse are released for the next run."""
    if actor is None or not actor.is_active or actor.pk != cardholder.user_id:
        raise Forbidden(field="actor")
    claim = selectors.claim_in_payment(cardholder)
    if claim is None:
        raise NotInPayment(field="claim")
    claim = _lock_in_payment(claim.pk)
    return _confirm(
        claim,
        confirmed_on=_today(today),
        how=LivingCheckConfirmation.How.ONLINE,
        who=cardholder.name,
        user=actor,
    )


def _require_perm(actor, perm):
    if actor is None or not actor.is_active or not actor.has_perm(f"pensions.{perm}"):
        raise Forbidden()


def _not_the_pensioner(claim, actor):
    if actor.pk in {claim.applicant_id, claim.cardholder.user_id} - {None}:
        raise Forbidden(_("You cannot act as staff on your own living check."), code="own_claim")


def _text(value, field):
    text = " ".join(str(value or "").split())
    if not text:
        raise InvalidInput(_("This field is required."), code="required", field=field)
    if len(text) > TEXT_MAX[field]:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": TEXT_MAX[field]}, code="too_long", field=field
        )
    return text


@transaction.atomic
def living_check_relative_record(
    *, claim, actor, relative_name, relationship, proof, seen_on, today=None
):
    """A staff member records that a relative brought the pensioner's proof of life
    (seen on `seen_on`, not in the future). Nothing changes for the pensioner until a
    second staff member confirms it."""
    _require_perm(actor, "record_livingcheck")
    fields = {
        "relative_name": _text(relative_name, "relative_name"),
        "relationship": _text(relationship, "relationship"),
        "proof": _text(proof, "proof"),
    }
    if seen_on is None:
        raise InvalidInput(_("This field is required."), code="required", field="seen_on")
    if seen_on > _today(today):
        raise InvalidInput(
            _("The proof cannot have been seen on a day still to come."),
            code="in_future",
            field="seen_on",
        )
    locked = _lock_in_payment(claim.pk)
    _not_the_pensioner(locked, actor)
    return RelativeLivingCheck.objects.create(
        claim=locked, recorded_by=actor, seen_on=seen_on, **fields
    )


@transaction.atomic
def living_check_relative_confirm(record, *, actor):
    """A second staff member confirms a relative's living check: the confirmation is
    written (dated the day the proof was seen) and the due date moves on. Two people:
    whoever recorded it cannot confirm it. Confirming twice changes nothing."""
    _require_perm(actor, "confirm_livingcheck")
    locked_claim = _lock_in_payment(record.claim_id)
    locked = RelativeLivingCheck.objects.select_for_update().get(pk=record.pk)
    if locked.status == RelativeLivingCheck.Status.CONFIRMED:
        return locked.confirmation
    if locked.recorded_by_id == actor.pk:
        raise SamePerson(
            _(
                "Two different people must record and confirm a relative's living check: "
                "another staff member must confirm this one."
            )
        )
    _not_the_pensioner(locked_claim, actor)
    confirmation = _confirm(
        locked_claim,
        confirmed_on=locked.seen_on,
        how=LivingCheckConfirmation.How.RELATIVE,
        who=f"{locked.relative_name} ({locked.relationship})",
        recorded_by_id=locked.recorded_by_id,
        confirmed_by=actor,
    )
    updated = RelativeLivingCheck.objects.filter(
        pk=locked.pk, status=RelativeLivingCheck.Status.PENDING
    ).update(
        status=RelativeLivingCheck.Status.CONFIRMED, confirmed_by=actor, confirmation=confirmation
    )
    if not updated:
        raise InvalidTransition()
    return confirmation


# --- reminders and lapse notices -------------------------------------------------------


def living_check_notice_due(claim, *, today):
    """Which notice the claim is owed today for its current due date, or None."""
    due = selectors.living_check_due(claim)
    state = living_check.state(due, today)
    if state == living_check.REMINDER_DUE:
        return LivingCheckNotice.Kind.REMINDER, due
    if state == living_check.LAPSED:
        return LivingCheckNotice.Kind.LAPSED, due
    return None


def living_check_notice_send(claim_id, *, today=None):
    """Send the pensioner the notice owed today (a reminder one month before the due
    date, or the lapse notice), at most once per claim, kind and due date: the notice
    row is written in the same transaction as the e-mail, so a failed send is tried
    again the next day and a finished one never repeats. Returns the kind sent or None."""
    from pensions import living_check_notices

    today = _today(today)
    claim = (
        RetirementClaim.objects.select_related("cardholder__user")
        .filter(
            pk=claim_id,
            status=WORKFLOW.states.APPROVED,
            cardholder__life_status=Cardholder.LifeStatus.LIVING,
        )
        .first()
    )
    if claim is None:
        return None
    owed = living_check_notice_due(claim, today=today)
    if owed is None:
        return None
    kind, due = owed
    user = claim.cardholder.user
    if LivingCheckNotice.objects.filter(claim=claim, kind=kind, due=due).exists():
        return None
    subject, body, text = living_check_notices.render(claim, kind=kind, due=due, user=user)
    email = user.email if user is not None else ""
    mobile = user.mobile if user is not None else ""
    try:
        with transaction.atomic():
            notice = LivingCheckNotice.objects.create(
                claim=claim, kind=kind, due=due, recipient=email
            )
            if email:
                living_check_notices.send_email(subject, body, email)
    except IntegrityError:
        return None
    if mobile and living_check_notices.send_text(mobile, text):
        LivingCheckNotice.objects.filter(pk=notice.pk).update(sms_sent=True)
    return kind


def living_check_claims_to_notify():
    """The ids of every pension in payment to a living pensioner."""
    return list(
        RetirementClaim.objects.filter(
            status=WORKFLOW.states.APPROVED,
            starts_on__isnull=False,
            cardholder__life_status=Cardholder.LifeStatus.LIVING,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def living_check_notices_send(*, today=None):
    """The daily run: every notice owed today, once each. Returns {kind: count}."""
    today = _today(today)
    sent = {}
    for claim_id in living_check_claims_to_notify():
        try:
            kind = living_check_notice_send(claim_id, today=today)
        except Exception:
            # Nothing was recorded for it, so tomorrow's run tries again; the others go on.
            logger.exception("living check notice for claim %s not sent", claim_id)
            continue
        if kind:
            sent[kind] = sent.get(kind, 0) + 1
    return sent
