from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, Employer
from benefits import maternity_rules
from casework import workflow
from casework.models import Case
from core.rights import HOW_TO_CONTEST
from maternity import eligibility

# The medical insurance fund of a region pays the allowance (maternity insurance is
# merged with medical insurance, 国办发〔2019〕10号); the approved amount waits in the
# payouts-payable account until the bank confirms it.
MEDICAL_FUND_CODE = "fund_medical_{region}"
BENEFIT_KIND = "benefit"


class EmployerAverageWage(models.Model):
    """An employer's average monthly wage over a year (SIL Art. 56): data the employer
    reports, imported from a file or entered by staff."""

    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="average_wages",
        verbose_name=_("employer"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("average monthly wage"), **MONEY)
    source = models.CharField(_("source"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("employer average wage")
        verbose_name_plural = _("employer average wages")
        ordering = ["employer", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "year"], name="one_employer_average_wage_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="employer_average_wage_positive"
            ),
        ]

    def __str__(self):
        return f"{self.employer_id} {self.year}: {self.amount}"


class RegionalMaternityRule(models.Model):
    """A region's own maternity figures from a date: the days it adds to a birth's
    leave and, where it sets one, how long after the event a claim may be made."""

    region = models.CharField(_("pooling region"), max_length=6)
    effective_from = models.DateField(_("in force from"))
    extra_days = models.PositiveSmallIntegerField(_("extra days of leave for a birth"))
    claim_limit_days = models.PositiveSmallIntegerField(
        _("claim within (days after the event)"), null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=200)
    illustrative = models.BooleanField(
        _("illustrative demo figure"),
        default=False,
        help_text=_("Not an official figure: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("regional maternity rule")
        verbose_name_plural = _("regional maternity rules")
        ordering = ["region", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="one_maternity_rule_per_region_date"
            )
        ]

    def __str__(self):
        return f"{self.region} {self.effective_from}: +{self.extra_days}"


# --- the maternity claim --------------------------------------------------------------

KIND = "maternity"
# A reviewer records that the claim's facts were checked (no change of status).
VERIFY = "verify"
# The bank confirms the payment.
PAYOUT_CONFIRMED = "payout_confirmed"


class Event(models.TextChoices):
    BIRTH = maternity_rules.BIRTH, _("Birth")
    MISCARRIAGE = maternity_rules.MISCARRIAGE, _("Miscarriage")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Documents being checked")
    NEEDS_DOCUMENTS = "needs_documents", _("More documents needed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    APPROVED = "approved", _("Approved: payment on its way")
    PAID = "paid", _("Paid")
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
    (workflow.APPROVE, S.AWAITING_DECISION, S.APPROVED),
    (PAYOUT_CONFIRMED, S.APPROVED, S.PAID),
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
    BIRTH_CERTIFICATE = eligibility.BIRTH_CERTIFICATE, _("Birth medical certificate")
    MEDICAL_PROOF = eligibility.MEDICAL_PROOF, _("Medical proof of the miscarriage")
    OTHER = "other", _("Other")


def _email_context(claim):
    return {"how_to_contest": HOW_TO_CONTEST}


WORKFLOW = workflow.Workflow(
    kind=KIND,
    title=_("maternity allowance claim"),
    states=Status,
    transitions=TABLE,
    document_kinds=DocumentKind,
    emails={
        S.NEEDS_DOCUMENTS: _("More documents needed"),
        S.APPROVED: _("Maternity allowance approved"),
        S.REJECTED: _("Maternity allowance claim rejected"),
    },
    email_template="maternity/email/{status}.txt",
    email_context=_email_context,
    permission_app="maternity",
    read_perms=(
        "maternity.view_maternityclaim",
        "maternity.review_maternityclaim",
        "maternity.approve_maternityclaim",
    ),
    document_perms=("maternity.review_maternityclaim", "maternity.approve_maternityclaim"),
    next_steps={
        S.DRAFT: _("Check the details, add the birth certificate or medical proof and submit."),
        S.SUBMITTED: _("Your documents will be checked automatically, usually within minutes."),
        S.IN_REVIEW: _("Your documents are being checked automatically."),
        S.NEEDS_DOCUMENTS: _("Read the reviewer's message, add the documents and submit again."),
        S.AWAITING_DECISION: _("A member of staff will verify your claim and another will decide."),
        S.APPROVED: _("The allowance is fixed and on its way to your bank account."),
        S.PAID: _("The allowance has been paid to your bank account."),
        S.REJECTED: _("Nothing more. You may claim again if things change."),
        S.WITHDRAWN: _("Nothing more. You may claim again at any time."),
    },
)

# Open or decided in her favour: the claim stands in the way of a second one.
STANDING_STATES = tuple(
    dict.fromkeys((*WORKFLOW.editable_states, *WORKFLOW.open_states, S.APPROVED, S.PAID))
)


class MaternityClaim(Case):
    """An insured woman's claim to the maternity allowance for one birth or
    miscarriage; once approved it holds the amount, fixed with every figure used."""

    KIND = KIND
    Event = Event
    Status = Status

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    event = models.CharField(_("event"), max_length=12, choices=Event.choices)
    event_date = models.DateField(_("date of the birth or miscarriage"), null=True, blank=True)
    babies = models.PositiveSmallIntegerField(_("babies born"), default=1)
    difficult_birth = models.BooleanField(_("difficult birth"), default=False)
    pregnancy_months = models.PositiveSmallIntegerField(
        _("months of pregnancy"), null=True, blank=True
    )
    # The employer whose average wage counts: the last one on the record before the event.
    employer = models.ForeignKey(
        Employer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("employer"),
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=34, blank=True)

    # The allowance, fixed at approval (empty before).
    average_wage = models.DecimalField(
        _("employer's average monthly wage used"), null=True, blank=True, **MONEY
    )
    average_wage_year = models.PositiveSmallIntegerField(
        _("year of the average wage"), null=True, blank=True
    )
    average_wage_source = models.CharField(
        _("source of the average wage"), max_length=200, blank=True
    )
    statutory_days = models.PositiveSmallIntegerField(_("statutory days"), null=True, blank=True)
    regional_extra_days = models.PositiveSmallIntegerField(
        _("regional extra days"), null=True, blank=True
    )
    days = models.PositiveSmallIntegerField(_("days of allowance"), null=True, blank=True)
    amount = models.DecimalField(_("allowance"), null=True, blank=True, **MONEY)
    payout_transaction = models.ForeignKey(
        "accounts.LedgerTransaction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment posting"),
    )

    class Meta:
        verbose_name = _("maternity allowance claim")
        verbose_name_plural = _("maternity allowance claims")
        permissions = [
            ("review_maternityclaim", _("Can verify, ask for documents and reject")),
            ("approve_maternityclaim", _("Can approve a maternity allowance claim")),
        ]

    @property
    def bank_account_tail(self):
        digits = "".join(ch for ch in self.bank_account_number if ch.isdigit())
        return digits[-4:]


workflow.register(WORKFLOW, MaternityClaim)
