from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import record_fields
from casework import workflow
from casework.models import Case
from core.rights import HOW_TO_CONTEST
from corrections import eligibility

KIND = "record_correction"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Documents being checked")
    NEEDS_DOCUMENTS = "needs_documents", _("More documents needed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    CORRECTED = "corrected", _("Corrected")
    REJECTED = "rejected", _("Not corrected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
TABLE = (
    (workflow.SUBMIT, S.DRAFT, S.SUBMITTED),
    (workflow.SUBMIT, S.NEEDS_DOCUMENTS, S.SUBMITTED),
    (workflow.START_REVIEW, S.SUBMITTED, S.IN_REVIEW),
    (workflow.FINISH_REVIEW, S.IN_REVIEW, S.AWAITING_DECISION),
    (workflow.REQUEST_DOCUMENTS, S.IN_REVIEW, S.NEEDS_DOCUMENTS),
    (workflow.REQUEST_DOCUMENTS, S.AWAITING_DECISION, S.NEEDS_DOCUMENTS),
    (workflow.APPROVE, S.AWAITING_DECISION, S.CORRECTED),
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
    EVIDENCE = eligibility.EVIDENCE, _("Document showing the right value")
    OTHER = "other", _("Other")


def _email_context(case):
    refusal = eligibility.refusal(case.refusal_code) if case.refusal_code else None
    return {
        "how_to_contest": HOW_TO_CONTEST,
        "refusal": refusal,
        "field_label": case.field_label,
        "legal_basis": eligibility.LEGAL_BASIS_TEXTS[eligibility.LAW_RECORD],
    }


def _applicant_url(case):
    from django.urls import reverse

    return reverse("corrections:detail", args=[case.pk])


WORKFLOW = workflow.Workflow(
    kind=KIND,
    title=_("record correction"),
    states=Status,
    transitions=TABLE,
    document_kinds=DocumentKind,
    emails={
        S.NEEDS_DOCUMENTS: _("More documents needed"),
        S.CORRECTED: _("Your record is corrected"),
        S.REJECTED: _("Your record is not corrected"),
    },
    email_template="corrections/email/{status}.txt",
    email_context=_email_context,
    permission_app="corrections",
    read_perms=(
        "corrections.view_recordcorrection",
        "corrections.review_recordcorrection",
        "corrections.decide_recordcorrection",
    ),
    document_perms=(
        "corrections.review_recordcorrection",
        "corrections.decide_recordcorrection",
    ),
    next_steps={
        S.DRAFT: _("Add a document that shows the right value, then submit."),
        S.SUBMITTED: _("Your documents will be checked automatically, usually within minutes."),
        S.IN_REVIEW: _("Your documents are being checked automatically."),
        S.NEEDS_DOCUMENTS: _("Read the reviewer's message, add the documents and submit again."),
        S.AWAITING_DECISION: _(
            "A service centre checks the documents against the record; two staff members decide."
        ),
        S.CORRECTED: _("The record holds the new value; the old one is kept on its history."),
        S.REJECTED: _("Nothing more, unless you contest the decision."),
        S.WITHDRAWN: _("Nothing more. You may ask again."),
    },
    applicant_url=_applicant_url,
)


class RecordCorrection(Case):
    """A person's request to correct one identity field of their record: the field,
    the value the record held when asked, the value asked for, why, and (for the date
    of birth or the gender) how it moves the statutory retirement date."""

    KIND = KIND
    Status = Status

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    field = models.CharField(
        _("field"),
        max_length=30,
        choices=[(f.name, f.label) for f in record_fields.FIELDS.values()],
    )
    old_value = models.CharField(_("value on the record"), max_length=200, blank=True)
    new_value = models.CharField(_("value asked for"), max_length=200, blank=True)
    reason = models.TextField(_("why the record is wrong"), max_length=2000)
    # The statutory retirement date before and after (date of birth, gender only);
    # for a woman also the cadre schedule's.
    retirement_before = models.DateField(_("retirement date before"), null=True, blank=True)
    retirement_after = models.DateField(_("retirement date after"), null=True, blank=True)
    retirement_before_cadre = models.DateField(
        _("retirement date before (cadre post)"), null=True, blank=True
    )
    retirement_after_cadre = models.DateField(
        _("retirement date after (cadre post)"), null=True, blank=True
    )
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("record correction")
        verbose_name_plural = _("record corrections")
        permissions = [
            ("review_recordcorrection", _("Can verify, ask for documents and reject")),
            ("decide_recordcorrection", _("Can correct the record")),
        ]

    @property
    def field_label(self):
        return self.get_field_display()

    @property
    def moves_retirement(self):
        return self.retirement_before is not None and (
            self.retirement_before != self.retirement_after
            or self.retirement_before_cadre != self.retirement_after_cadre
        )

    def shown(self, value):
        """A stored value as the person reads it (the gender as a word)."""
        if self.field == record_fields.GENDER:
            labels = {"M": _("Male"), "F": _("Female")}
            return str(labels.get(value, value))
        return value or "—"

    @property
    def old_shown(self):
        return self.shown(self.old_value)

    @property
    def new_shown(self):
        return self.shown(self.new_value)


workflow.register(WORKFLOW, RecordCorrection)
