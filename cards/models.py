from django.db import models
from django.utils.translation import gettext_lazy as _

from cards import eligibility
from casework import workflow
from casework.models import Case
from core.rights import HOW_TO_CONTEST

KIND = "card_replacement"


class Why(models.TextChoices):
    LOST = eligibility.LOST, _("lost or stolen")
    DAMAGED = eligibility.DAMAGED, _("damaged")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the service centre")
    ISSUED = "issued", _("New card issued")
    REJECTED = "rejected", _("Not issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
# No documents: the service centre checks the person's identity itself, so a request
# goes straight from submission to the staff queue.
TABLE = (
    (workflow.SUBMIT, S.DRAFT, S.SUBMITTED),
    (workflow.APPROVE, S.SUBMITTED, S.ISSUED),
    (workflow.REJECT, S.SUBMITTED, S.REJECTED),
    (workflow.WITHDRAW, S.DRAFT, S.WITHDRAWN),
    (workflow.WITHDRAW, S.SUBMITTED, S.WITHDRAWN),
)


def _email_context(case):
    refusal = eligibility.refusal(case.refusal_code) if case.refusal_code else None
    return {"how_to_contest": HOW_TO_CONTEST, "refusal": refusal}


def _applicant_url(case):
    from django.urls import reverse

    return reverse("accounts:card")


WORKFLOW = workflow.Workflow(
    kind=KIND,
    title=_("replacement card"),
    states=Status,
    transitions=TABLE,
    emails={
        S.ISSUED: _("Your new social security card is issued"),
        S.REJECTED: _("Your replacement card is not issued"),
    },
    email_template="cards/email/{status}.txt",
    email_context=_email_context,
    permission_app="cards",
    read_perms=(
        "cards.view_cardreplacement",
        "cards.review_cardreplacement",
        "cards.issue_cardreplacement",
    ),
    next_steps={
        S.DRAFT: _("Confirm the request with your password."),
        S.SUBMITTED: _(
            "A service centre checks the request and issues the new card; you are told by e-mail."
        ),
        S.ISSUED: _(
            "Collect the new card at the service centre with your ID card. The old card is "
            "cancelled."
        ),
        S.REJECTED: _("Nothing more, unless you contest the decision."),
        S.WITHDRAWN: _("Nothing more. You may ask again."),
    },
    applicant_url=_applicant_url,
)


class CardReplacement(Case):
    """A cardholder's request for a new card after the old one was lost or damaged
    (reference CR-YYYY-NNNNNN). The applicant is the cardholder."""

    KIND = KIND
    Status = Status
    Why = Why

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    why = models.CharField(_("the card is"), max_length=10, choices=Why.choices)
    old_card_number = models.CharField(_("old card number"), max_length=20)
    new_card_number = models.CharField(_("new card number"), max_length=20, blank=True)
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("replacement card")
        verbose_name_plural = _("replacement cards")
        permissions = [
            ("review_cardreplacement", _("Can check and refuse a replacement card")),
            ("issue_cardreplacement", _("Can issue a replacement card")),
        ]


workflow.register(WORKFLOW, CardReplacement)
