from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, Employer
from casework import workflow
from casework.models import Case
from core.rights import HOW_TO_CONTEST
from workinjury import eligibility

KIND = "work_injury"
# The agency decides within 60 days of accepting the application (WIR Art. 20).
DECISION_DAYS = 60
VERIFY = "verify"


class Filer(models.TextChoices):
    WORKER = eligibility.WORKER, _("The worker")
    RELATIVE = eligibility.RELATIVE, _("A close relative")
    EMPLOYER = eligibility.EMPLOYER, _("The employer")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Documents being checked")
    NEEDS_DOCUMENTS = "needs_documents", _("More documents needed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    RECOGNISED = "recognised", _("Recognised as a work injury")
    REJECTED = "rejected", _("Not recognised")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
TABLE = (
    (workflow.SUBMIT, S.DRAFT, S.SUBMITTED),
    (workflow.SUBMIT, S.NEEDS_DOCUMENTS, S.SUBMITTED),
    (workflow.START_REVIEW, S.SUBMITTED, S.IN_REVIEW),
    (workflow.FINISH_REVIEW, S.IN_REVIEW, S.AWAITING_DECISION),
    (workflow.REQUEST_DOCUMENTS, S.IN_REVIEW, S.NEEDS_DOCUMENTS),
    (workflow.REQUEST_DOCUMENTS, S.AWAITING_DECISION, S.NEEDS_DOCUMENTS),
    (workflow.APPROVE, S.AWAITING_DECISION, S.RECOGNISED),
    (workflow.REJECT, S.IN_REVIEW, S.REJECTED),
    (workflow.REJECT, S.AWAITING_DECISION, S.REJECTED),
    (workflow.REJECT, S.NEEDS_DOCUMENTS, S.REJECTED),
    (workflow.WITHDRAW, S.DRAFT, S.WITHDRAWN),
    (workflow.WITHDRAW, S.SUBMITTED, S.WITHDRAWN),
    (workflow.WITHDRAW, S.IN_REVIEW, S.WITHDRAWN),
    (workflow.WITHDRAW, S.NEEDS_DOCUMENTS, S.WITHDRAWN),
    (workflow.WITHDRAW, S.AWAITING_DECISION, S.WITHDRAWN),
)


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = eligibility.APPLICATION_FORM, _("Recognition application form")
    LABOUR_PROOF = eligibility.LABOUR_PROOF, _("Proof of the labour relationship")
    DIAGNOSIS = eligibility.DIAGNOSIS, _("Medical or occupational-disease diagnosis")
    OTHER = "other", _("Other")


def _email_context(claim):
    refusal = eligibility.refusal(claim.refusal_code) if claim.refusal_code else None
    return {"how_to_contest": HOW_TO_CONTEST, "refusal": refusal}


WORKFLOW = workflow.Workflow(
    kind=KIND,
    title=_("work-injury recognition"),
    states=Status,
    transitions=TABLE,
    document_kinds=DocumentKind,
    emails={
        S.NEEDS_DOCUMENTS: _("More documents needed"),
        S.RECOGNISED: _("Work injury recognised"),
        S.REJECTED: _("Work injury not recognised"),
    },
    email_template="workinjury/email/{status}.txt",
    email_context=_email_context,
    permission_app="workinjury",
    read_perms=(
        "workinjury.view_injuryrecognition",
        "workinjury.review_injuryrecognition",
        "workinjury.decide_injuryrecognition",
    ),
    document_perms=("workinjury.review_injuryrecognition", "workinjury.decide_injuryrecognition"),
    next_steps={
        S.DRAFT: _(
            "Add the application form, the proof of the labour relationship and the "
            "diagnosis, then submit."
        ),
        S.SUBMITTED: _("Your documents will be checked automatically, usually within minutes."),
        S.IN_REVIEW: _("Your documents are being checked automatically."),
        S.NEEDS_DOCUMENTS: _("Read the reviewer's message, add the documents and submit again."),
        S.AWAITING_DECISION: _(
            "The service centre decides within 60 days of accepting the application."
        ),
        S.RECOGNISED: _(
            "The injury is recognised. Once the condition is stable, the labour-capacity "
            "appraisal sets the disability grade and the benefits."
        ),
        S.REJECTED: _("Nothing more, unless you contest the decision."),
        S.WITHDRAWN: _("Nothing more. You may file again within the time limit."),
    },
)

STANDING_STATES = tuple(
    dict.fromkeys((*WORKFLOW.editable_states, *WORKFLOW.open_states, S.RECOGNISED))
)


class InjuryRecognition(Case):
    """An application to recognise a worker's injury as work-related (WIR Art. 17–20).
    The cardholder is the injured worker; the applicant is whoever filed."""

    KIND = KIND
    Filer = Filer
    Status = Status

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    accident_date = models.DateField(_("date of the accident or diagnosis"))
    filer = models.CharField(_("filed by"), max_length=10, choices=Filer.choices)
    relationship = models.CharField(_("relationship to the worker"), max_length=40, blank=True)
    description = models.TextField(_("what happened"), max_length=2000)
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer"),
    )
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    # Set by the labour-capacity appraisal (WIR Art. 21-28), which is not built yet.
    grade = models.PositiveSmallIntegerField(_("disability grade"), null=True, blank=True)
    own_wage = models.DecimalField(_("own monthly wage"), null=True, blank=True, **MONEY)
    one_time_subsidy = models.DecimalField(
        _("one-time disability subsidy"), null=True, blank=True, **MONEY
    )
    monthly_allowance = models.DecimalField(
        _("monthly disability allowance"), null=True, blank=True, **MONEY
    )

    class Meta:
        verbose_name = _("work-injury recognition")
        verbose_name_plural = _("work-injury recognitions")
        permissions = [
            ("review_injuryrecognition", _("Can verify, ask for documents and reject")),
            ("decide_injuryrecognition", _("Can recognise a work injury")),
            ("file_for_employer", _("Can file a recognition on an employer's behalf")),
        ]

    @property
    def decide_by(self):
        """The last day of the 60 days from acceptance (WIR Art. 20), once submitted."""
        if self.submitted_at is None:
            return None
        return self.submitted_at.date() + timedelta(days=DECISION_DAYS)


workflow.register(WORKFLOW, InjuryRecognition)
