"""The public employment service's record of a person out of work (SIL Art. 50)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, Cardholder, LedgerTransaction
from benefits import unemployment_rules
from casework import workflow
from casework.models import Case
from core.rights import HOW_TO_CONTEST


class UnemploymentRegistration(models.Model):
    """The person's statement that their job ended and that they seek work. The
    registration date counts: the benefit period runs from it (Art. 50)."""

    class HowEnded(models.TextChoices):
        EMPLOYER_TERMINATED = "employer_terminated", _("The employer ended the contract")
        CONTRACT_EXPIRED = "contract_expired", _("The contract expired and was not renewed")
        DISMISSED = "dismissed", _("Dismissed")
        RESIGNED = "resigned", _("Resigned")
        OTHER = "other", _("Other")

    cardholder = models.ForeignKey(
        Cardholder,
        on_delete=models.PROTECT,
        related_name="unemployment_registrations",
        verbose_name=_("cardholder"),
    )
    job_ended_on = models.DateField(_("job ended on"))
    how_ended = models.CharField(_("how the job ended"), max_length=24, choices=HowEnded.choices)
    seeking_work = models.BooleanField(_("seeking work"), default=True)
    registered_on = models.DateField(_("registered on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unemployment registration")
        verbose_name_plural = _("unemployment registrations")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(job_ended_on__lte=models.F("registered_on")),
                name="unemployment_registration_after_job_end",
            ),
        ]

    def __str__(self):
        return f"{self.cardholder} {self.registered_on}"


class RegionalBenefitAmount(models.Model):
    """The monthly unemployment benefit a region sets for a year (SIL Art. 47): not below
    the urban minimum living standard and below the local minimum wage."""

    region = models.CharField(_("pooling region"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=10, decimal_places=2)
    minimum_living_standard = models.DecimalField(
        _("urban minimum living standard"), max_digits=10, decimal_places=2
    )
    minimum_wage = models.DecimalField(_("minimum wage"), max_digits=10, decimal_places=2)
    illustrative = models.BooleanField(
        _("illustrative demo figure"),
        default=False,
        help_text=_("Not an official figure: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("regional unemployment benefit amount")
        verbose_name_plural = _("regional unemployment benefit amounts")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="benefit_amount_region_year"),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=models.F("minimum_living_standard"))
                & models.Q(monthly_amount__lt=models.F("minimum_wage")),
                name="benefit_amount_between_floor_and_wage",
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.monthly_amount}"


class RegionalMedicalContribution(models.Model):
    """What the unemployment fund pays each month for the medical insurance of a person
    drawing unemployment benefit (SIL Art. 48), per region and year, split as the
    region's medical rates send it: to the pooled and to the personal medical account."""

    region = models.CharField(_("pooling region"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    to_pooled = models.DecimalField(_("to the pooled medical account"), **MONEY)
    to_personal = models.DecimalField(_("to the personal medical account"), **MONEY)
    source = models.CharField(_("source"), max_length=200)
    illustrative = models.BooleanField(
        _("illustrative demo figure"),
        default=False,
        help_text=_("Not an official figure: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("medical contribution for the unemployed")
        verbose_name_plural = _("medical contributions for the unemployed")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"], name="unemployed_medical_region_year"
            ),
            models.CheckConstraint(
                condition=models.Q(to_pooled__gte=0) & models.Q(to_personal__gte=0),
                name="unemployed_medical_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.to_pooled} + {self.to_personal}"

    @property
    def total(self):
        return self.to_pooled + self.to_personal


# --- the unemployment benefit claim ------------------------------------------------------

KIND = "unemployment"
# A reviewer records that the claim's facts were checked (no change of status).
VERIFY = "verify"
# The benefit ends: a stop (SIL Art. 51) or every month entitled paid.
STOP = "stop"
EXHAUST = "exhaust"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Documents being checked")
    NEEDS_DOCUMENTS = "needs_documents", _("More documents needed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    IN_PAYMENT = "in_payment", _("Approved: benefit in payment")
    STOPPED = "stopped", _("Benefit stopped")
    EXHAUSTED = "exhausted", _("Every month paid")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
TABLE = (
    (workflow.SUBMIT, S.DRAFT, S.SUBMITTED),
    (workflow.SUBMIT, S.NEEDS_DOCUMENTS, S.SUBMITTED),
    (workflow.START_REVIEW, S.SUBMITTED, S.IN_REVIEW),
    (workflow.FINISH_REVIEW, S.IN_REVIEW, S.AWAITING_DECISION),
    (workflow.REQUEST_DOCUMENTS, S.IN_REVIEW, S.NEEDS_DOCUMENTS),
    (workflow.REQUEST_DOCUMENTS, S.AWAITING_DECISION, S.NEEDS_DOCUMENTS),
    (workflow.APPROVE, S.AWAITING_DECISION, S.IN_PAYMENT),
    (workflow.REJECT, S.IN_REVIEW, S.REJECTED),
    (workflow.REJECT, S.AWAITING_DECISION, S.REJECTED),
    (workflow.REJECT, S.NEEDS_DOCUMENTS, S.REJECTED),
    (workflow.WITHDRAW, S.DRAFT, S.WITHDRAWN),
    (workflow.WITHDRAW, S.SUBMITTED, S.WITHDRAWN),
    (workflow.WITHDRAW, S.IN_REVIEW, S.WITHDRAWN),
    (workflow.WITHDRAW, S.NEEDS_DOCUMENTS, S.WITHDRAWN),
    (workflow.WITHDRAW, S.AWAITING_DECISION, S.WITHDRAWN),
    (STOP, S.IN_PAYMENT, S.STOPPED),
    (EXHAUST, S.IN_PAYMENT, S.EXHAUSTED),
)


class DocumentKind(models.TextChoices):
    TERMINATION_CERTIFICATE = (
        unemployment_rules.TERMINATION_CERTIFICATE,
        _("Certificate of termination of the employment contract"),
    )
    OTHER = "other", _("Other")


class StopReason(models.TextChoices):
    REEMPLOYED = unemployment_rules.STOP_REEMPLOYED, _("Found work again")
    PENSION_STARTED = unemployment_rules.STOP_PENSION, _("Started to draw a basic pension")
    SETTLED_ABROAD = unemployment_rules.STOP_ABROAD, _("Settled abroad")
    DECEASED = unemployment_rules.STOP_DECEASED, _("Died")
    REFUSED_WORK = (
        unemployment_rules.STOP_REFUSED_WORK,
        _("Refused suitable work or training without good reason"),
    )


def _email_context(claim):
    # Lazy: rendered in each language of the email.
    context = {"how_to_contest": HOW_TO_CONTEST}
    if claim.stop_reason:
        context["stop"] = unemployment_rules.StopText(claim.stop_reason)
    return context


WORKFLOW = workflow.Workflow(
    kind=KIND,
    title=_("unemployment benefit claim"),
    states=Status,
    transitions=TABLE,
    document_kinds=DocumentKind,
    emails={
        S.NEEDS_DOCUMENTS: _("More documents needed"),
        S.IN_PAYMENT: _("Unemployment benefit approved"),
        S.REJECTED: _("Unemployment benefit claim rejected"),
        S.STOPPED: _("Unemployment benefit stopped"),
    },
    email_template="benefits/email/{status}.txt",
    email_context=_email_context,
    permission_app="benefits",
    read_perms=(
        "benefits.view_unemploymentclaim",
        "benefits.review_unemploymentclaim",
        "benefits.approve_unemploymentclaim",
    ),
    document_perms=(
        "benefits.review_unemploymentclaim",
        "benefits.approve_unemploymentclaim",
    ),
    next_steps={
        S.DRAFT: _("Upload your certificate of termination and submit the claim."),
        S.SUBMITTED: _("Your documents will be checked automatically, usually within minutes."),
        S.IN_REVIEW: _("Your documents are being checked automatically."),
        S.NEEDS_DOCUMENTS: _("Read the reviewer's message, add the documents and submit again."),
        S.AWAITING_DECISION: _(
            "A member of staff will verify your record and another will decide."
        ),
        S.IN_PAYMENT: _(
            "Your benefit is paid every month, with your medical insurance, while you seek "
            "work. Tell us at once when you find work."
        ),
        S.STOPPED: _(
            "Nothing more is paid. The months you did not draw are kept for a later claim."
        ),
        S.EXHAUSTED: _("Every month you were entitled to has been paid."),
        S.REJECTED: _("Nothing more. You may claim again if things change."),
        S.WITHDRAWN: _("Nothing more. You may claim again at any time."),
    },
)

# Open or in payment: the claim stands in the way of a second one.
STANDING_STATES = tuple(
    dict.fromkeys((*WORKFLOW.editable_states, *WORKFLOW.open_states, S.IN_PAYMENT))
)


class UnemploymentClaim(Case):
    """A claim to the unemployment benefit on one registration; once approved it holds
    the months entitled and the monthly amount, fixed with the figures used."""

    KIND = KIND
    Status = Status

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    registration = models.ForeignKey(
        UnemploymentRegistration,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("unemployment registration"),
    )

    # The decision, fixed at approval (empty before).
    contribution_months = models.PositiveIntegerField(
        _("contribution months before the job ended"), null=True, blank=True
    )
    carried_months = models.PositiveSmallIntegerField(_("unused months carried over"), default=0)
    months_entitled = models.PositiveSmallIntegerField(_("months entitled"), null=True, blank=True)
    monthly_amount = models.DecimalField(_("monthly amount"), null=True, blank=True, **MONEY)
    amount_region = models.CharField(_("region of the amount"), max_length=6, blank=True)
    amount_year = models.PositiveSmallIntegerField(_("year of the amount"), null=True, blank=True)
    starts_on = models.DateField(_("first month paid"), null=True, blank=True)

    # The stop (SIL Art. 51), when there is one.
    stop_reason = models.CharField(
        _("why the benefit stopped"), max_length=30, choices=StopReason.choices, blank=True
    )
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)

    class Meta:
        verbose_name = _("unemployment benefit claim")
        verbose_name_plural = _("unemployment benefit claims")
        permissions = [
            ("review_unemploymentclaim", _("Can verify, ask for documents, reject and stop")),
            ("approve_unemploymentclaim", _("Can approve an unemployment benefit claim")),
        ]


class BenefitPayment(models.Model):
    """One month of a benefit paid, with the medical contribution paid for it (SIL
    Art. 48). Unique per claim and month: a month is paid once."""

    claim = models.ForeignKey(UnemploymentClaim, on_delete=models.PROTECT, related_name="payments")
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    amount = models.DecimalField(_("benefit"), **MONEY)
    medical_pooled = models.DecimalField(_("medical contribution to the pool"), **MONEY)
    medical_personal = models.DecimalField(
        _("medical contribution to the personal account"), **MONEY
    )
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="benefit_payment"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("benefit payment")
        verbose_name_plural = _("benefit payments")
        ordering = ["claim", "month"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "month"], name="one_benefit_payment_a_month"),
        ]

    def __str__(self):
        return f"{self.claim_id} {self.month:%Y-%m} {self.amount}"

    @property
    def medical_total(self):
        return self.medical_pooled + self.medical_personal


workflow.register(WORKFLOW, UnemploymentClaim)
