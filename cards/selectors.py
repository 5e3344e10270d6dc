"""Reads of the replacement card: the facts its rules take, the standing request, and
what the card page and `GET /api/v1/me/card/` show."""

from django.urls import reverse

from accounts.extensions import CardReplacement as Shown
from cards import eligibility
from cards.models import WORKFLOW, CardReplacement


def open_request(cardholder, *, exclude=None):
    """The cardholder's request still waiting for a decision, if any."""
    states = (*WORKFLOW.editable_states, *WORKFLOW.open_states)
    found = CardReplacement.objects.filter(cardholder_id=cardholder.pk, status__in=states)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return found.order_by("-id").first()


def latest_request(cardholder):
    return CardReplacement.objects.filter(cardholder_id=cardholder.pk).order_by("-id").first()


def replacement_facts(cardholder, *, stage, why, exclude=None):
    other = open_request(cardholder, exclude=exclude)
    return eligibility.Facts(
        stage=stage,
        life_status=cardholder.life_status,
        card_status=cardholder.card_status,
        reason=why,
        open_request=other.reference if other else "",
    )


def can_request(cardholder):
    """Whether the card page offers a replacement now (for either reason)."""
    facts = replacement_facts(cardholder, stage=eligibility.REQUEST, why=eligibility.LOST)
    return eligibility.evaluate(facts).allowed


def card_replacement_for(cardholder):
    """The card page's replacement: the latest request and whether one may be asked for."""
    latest = latest_request(cardholder)
    allowed = can_request(cardholder)
    url = reverse("cards:request") if allowed else ""
    if latest is None:
        return Shown(can_request=allowed, url=url)
    refusal = None
    rejected = latest.status == WORKFLOW.states.REJECTED
    if rejected and latest.refusal_code in eligibility.REFUSAL_CODES:
        refusal = eligibility.refusal(latest.refusal_code).as_dict()
        refusal["text"] = latest.rejection_reason
    return Shown(
        can_request=allowed,
        url=url,
        reference=latest.reference,
        status=latest.status,
        status_label=str(latest.get_status_display()),
        requested_at=latest.submitted_at or latest.created_at,
        decided_at=latest.decided_at,
        refusal=refusal,
    )
