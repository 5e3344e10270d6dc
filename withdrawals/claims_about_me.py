"""Claims about me: the living person a death claim names is told and can answer.

When a death claim naming a cardholder is submitted, the cardholder is told (an
email once per claim, a banner on their overview, the API). They can answer "I am
alive — this is not my death": the claim goes on a `contested` hold that only
staff resolve, with a reason, either back to where it was or rejected. A claim
never freezes the named person's accounts.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.exceptions import InvalidInput, NotFound
from accounts.models import Cardholder
from casework import notes
from casework import services as casework
from withdrawals import notes as withdrawal_notes
from withdrawals import services
from withdrawals.exceptions import AlreadyDecided, Forbidden, IllegalTransition
from withdrawals.models import (
    CONTEST,
    RESOLVE_CONTEST,
    WORKFLOW,
    Reason,
    Status,
    WithdrawalApplication,
)

# A contest is possible while staff have not decided (from the transitions table).
CONTESTABLE_STATES = WORKFLOW.sources(CONTEST)
# Open claims, shown in the banner.
OPEN_STATES = WORKFLOW.open_states
NOTE_MAX = 2000


def mask_name(name):
    """A name as the person named sees the applicant's: first character, then stars."""
    text = " ".join(str(name or "").split())
    if not text:
        return "*"
    return text[0] + "*" * min(max(len(text) - 1, 1), 6)


# --- reads ---------------------------------------------------------------------------


def claims_about_me(user):
    """Every submitted application naming `user` as the cardholder, newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return WithdrawalApplication.objects.none()
    return (
        WithdrawalApplication.objects.filter(cardholder__user_id=user.pk)
        .exclude(applicant_id=user.pk)
        .exclude(status=Status.DRAFT)
        .filter(reason=Reason.DEATH)
        .select_related("applicant")
        .order_by("-submitted_at", "-id")
    )


def open_claims_about_me(user):
    return claims_about_me(user).filter(status__in=OPEN_STATES)


def claim_about_me_get(user, pk):
    try:
        return claims_about_me(user).get(pk=pk)
    except (WithdrawalApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def claim_row(application):
    """One claim as the named person sees it: no amounts, the applicant masked."""
    applicant = application.applicant
    return {
        "id": application.pk,
        "reference": application.reference,
        "reason": application.reason,
        "status": application.status,
        "status_label": application.get_status_display(),
        "submitted_at": application.submitted_at,
        "applicant_name": mask_name(applicant.get_full_name() or applicant.first_name),
        "relationship": application.relationship,
        "relationship_label": application.get_relationship_display(),
        "contested": application.status == Status.CONTESTED or application.contested_at is not None,
        "contestable": application.status in CONTESTABLE_STATES,
    }


# --- the person named ------------------------------------------------------------------


def claim_contest(application, *, actor, note="", ip_address=None):
    """The person a death claim names says they are alive: the claim is held
    (→ contested) for staff. Repeating it changes nothing; after a decision it is
    refused (409)."""
    text = services.clean_typed_text(note, "note")
    if len(text) > NOTE_MAX:
        raise InvalidInput(
            _("At most %(n)d characters.") % {"n": NOTE_MAX}, code="too_long", field="note"
        )
    with transaction.atomic():
        locked = WithdrawalApplication.objects.select_for_update().get(pk=application.pk)
        owner = Cardholder.objects.filter(pk=locked.cardholder_id).values_list("user_id", flat=True)
        if actor is None or owner.first() != actor.pk or locked.applicant_id == actor.pk:
            raise Forbidden(_("Only the person the claim is about can contest it."))
        if locked.status == Status.CONTESTED:
            return locked
        if locked.status not in CONTESTABLE_STATES:
            if locked.status == Status.DRAFT:
                raise IllegalTransition()
            raise AlreadyDecided(
                _("A decision has already been made on this claim. Contact the service centre.")
            )
        now = timezone.now()
        casework.case_transition(
            locked,
            CONTEST,
            actor=actor,
            note=notes.note(withdrawal_notes.CLAIM_CONTESTED),
            ip_address=ip_address,
            contested_at=now,
            contested_from=locked.status,
            contest_note=text,
        )
        if text:
            casework.case_note(
                locked,
                actor,
                notes.note(withdrawal_notes.CONTEST_NOTE, note=text),
                staff_only=True,
            )
    return locked


# --- staff -------------------------------------------------------------------------------


RESUME = "resume"
REJECT = "reject"


def claim_contest_resolve(application, *, actor, outcome, reason, ip_address=None):
    """Staff resolve a contest, with a reason: `resume` (back where it was) or
    `reject` (the claim is rejected; the reason is shown to the applicant)."""
    casework.require_perm(actor, application, "review_application")
    text = services.clean_typed_text(reason, "reason")
    if not text:
        raise InvalidInput(_("Give the reason for the decision."), code="required", field="reason")
    if outcome not in (RESUME, REJECT):
        raise InvalidInput(_("Choose what happens to the claim."), code="invalid", field="outcome")
    with transaction.atomic():
        locked = casework.case_lock(application)
        services.require_not_own(locked, actor)
        if locked.status != Status.CONTESTED:
            raise IllegalTransition(_("This claim is not on hold."))
        if outcome == RESUME:
            back = locked.contested_from or Status.SUBMITTED
            casework.case_transition(
                locked,
                RESOLVE_CONTEST,
                actor=actor,
                note=notes.note(withdrawal_notes.CONTEST_LIFTED, reason=text),
                ip_address=ip_address,
                to=back,
            )
        else:
            casework.case_transition(
                locked,
                RESOLVE_CONTEST,
                actor=actor,
                note=notes.note(notes.REJECTED, text=text),
                ip_address=ip_address,
                to=Status.REJECTED,
                rejection_reason=text,
                reviewed_by=actor,
                decided_at=timezone.now(),
            )
    casework.copy_into(locked, application)
    return application


# --- telling the person named --------------------------------------------------------------


def named_person_notify(application_id):
    """Email the person a death claim names, once per claim (compare-and-set on
    named_person_notified_at). Returns True when it sent now."""
    application = (
        WithdrawalApplication.objects.select_related("cardholder__user", "applicant")
        .filter(pk=application_id, reason=Reason.DEATH)
        .first()
    )
    if application is None or application.status == Status.DRAFT:
        return False
    user = application.cardholder.user
    recipient = (user.email if user is not None else "") or ""
    with transaction.atomic():
        claimed = WithdrawalApplication.objects.filter(
            pk=application.pk, named_person_notified_at__isnull=True
        ).update(named_person_notified_at=timezone.now())
        if not claimed:
            return False
        if not recipient:
            return False
        row = claim_row(application)
        body = render_to_string(
            "withdrawals/email/claim_about_me.txt",
            {"row": row, "name": application.cardholder.name},
        )
        send_mail(
            f"[{application.reference}] 有人以您死亡为由提出申请 / A claim says you have died",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [recipient],
        )
    return True


def count_at_login(sender, request, user, **kwargs):
    """At login, remember in the session how many open death claims name the user:
    the overview shows a banner for them."""
    if request is None or not hasattr(request, "session"):
        return
    count = open_claims_about_me(user).count()
    if count:
        request.session["claims_about_me"] = count
    else:
        request.session.pop("claims_about_me", None)
