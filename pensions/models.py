from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, AppendOnlyModel, LedgerTransaction
from casework import workflow
from casework.models import Case
from core.rights import HOW_TO_CONTEST
from pensions import eligibility, retirement


class RegionalAverageWage(models.Model):
    """A pooling region's average monthly wage for a year: data, never a constant."""

    region = models.CharField(_("pooling region"), max_length=6)
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("average monthly wage"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("regional average wage")
        verbose_name_plural = _("regional average wages")
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_average_wage_per_year")
        ]

    def __str__(self):
        return f"{self.region} {self.year}: {self.amount}"


# --- the retirement claim -------------------------------------------------------------

KIND = "retirement"
# A reviewer records that the claim's facts were checked (no change of status).
VERIFY = "verify"


class Category(models.TextChoices):
    MALE = retirement.MALE, _("Man")
    FEMALE_WORKER = retirement.FEMALE_WORKER, _("Woman in a worker post")
    FEMALE_CADRE = retirement.FEMALE_CADRE, _("Woman in a cadre (managerial or technical) post")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Documents being checked")
    NEEDS_DOCUMENTS = "needs_documents", _("More documents needed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    APPROVED = "approved", _("Approved: pension in payment")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = Status
# The transitions table: (action, from, to). Anything else is refused.
TABLE = (
    (workflow.SUBMIT, S.DRAFT, S.SUBMITTED),
    (workflow.SUBMIT, S.NEEDS_DOCUMENTS, S.SUBMITTED),
    (workflow.START_REVIEW, S.SUBMITTED, S.IN_REVIEW),
    (workflow.FINISH_REVIEW, S.IN_REVIEW, S.AWAITING_DECISION),
    (workflow.REQUEST_DOCUMENTS, S.IN_REVIEW, S.NEEDS_DOCUMENTS),
    (workflow.REQUEST_DOCUMENTS, S.AWAITING_DECISION, S.NEEDS_DOCUMENTS),
    (workflow.APPROVE, S.AWAITING_DECISION, S.APPROVED),
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
    CADRE_POST_PROOF = eligibility.CADRE_POST_PROOF, _("Proof of a cadre post")
    OTHER = "other", _("Other")


def _email_context(claim):
    # Lazy: rendered in each language of the email.
    return {"how_to_contest": HOW_TO_CONTEST}


WORKFLOW = workflow.Workflow(
    kind=KIND,
    title=_("retirement claim"),
    states=Status,
    transitions=TABLE,
    document_kinds=DocumentKind,
    # The subject per new status; the body is templates/pensions/email/<status>.txt.
    emails={
        S.NEEDS_DOCUMENTS: _("More documents needed"),
        S.APPROVED: _("Pension claim approved"),
        S.REJECTED: _("Pension claim rejected"),
    },
    email_template="pensions/email/{status}.txt",
    email_context=_email_context,
    permission_app="pensions",
    read_perms=(
        "pensions.view_retirementclaim",
        "pensions.review_retirementclaim",
        "pensions.approve_retirementclaim",
    ),
    document_perms=(
        "pensions.review_retirementclaim",
        "pensions.approve_retirementclaim",
    ),
    next_steps={
        S.DRAFT: _("Check the details, add any document asked for and submit the claim."),
        S.SUBMITTED: _("Your documents will be checked automatically, usually within minutes."),
        S.IN_REVIEW: _("Your documents are being checked automatically."),
        S.NEEDS_DOCUMENTS: _("Read the reviewer's message, add the documents and submit again."),
        S.AWAITING_DECISION: _(
            "A member of staff will verify your record and another will decide."
        ),
        S.APPROVED: _("Your pension is fixed and paid monthly from the date shown."),
        S.REJECTED: _("Nothing more. You may claim again if things change."),
        S.WITHDRAWN: _("Nothing more. You may claim again at any time."),
    },
    applicant_url=lambda claim: reverse("pensions:claim"),
)

# Open or approved: the claim stands in the way of a second one.
STANDING_STATES = tuple(
    dict.fromkeys((*WORKFLOW.editable_states, *WORKFLOW.open_states, S.APPROVED))
)


class RetirementClaim(Case):
    """A cardholder's claim to the basic pension from the statutory retirement date;
    once approved it holds the award, fixed with every figure used."""

    KIND = KIND
    Category = Category
    Status = Status

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    category = models.CharField(_("retirement schedule"), max_length=20, choices=Category.choices)
    retirement_date = models.DateField(_("statutory retirement date"))
    retirement_age_months = models.PositiveIntegerField(_("statutory age in months"))

    # The award, fixed at approval (empty before).
    starts_on = models.DateField(_("pension paid from"), null=True, blank=True)
    contribution_months = models.PositiveIntegerField(
        _("contribution months"), null=True, blank=True
    )
    average_wage = models.DecimalField(
        _("regional average monthly wage used"), null=True, blank=True, **MONEY
    )
    average_wage_year = models.PositiveSmallIntegerField(
        _("year of the average wage"), null=True, blank=True
    )
    average_wage_source = models.CharField(
        _("source of the average wage"), max_length=200, blank=True
    )
    contribution_index = models.DecimalField(
        _("mean contribution index"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    indexed_wage = models.DecimalField(_("indexed monthly wage"), null=True, blank=True, **MONEY)
    balance_at_retirement = models.DecimalField(
        _("personal pension balance at retirement"), null=True, blank=True, **MONEY
    )
    divisor = models.PositiveSmallIntegerField(_("divisor (months)"), null=True, blank=True)
    basic_monthly = models.DecimalField(_("basic pension a month"), null=True, blank=True, **MONEY)
    personal_monthly = models.DecimalField(
        _("personal-account pension a month"), null=True, blank=True, **MONEY
    )
    # Where the pension is paid when the card's financial function is not activated.
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("retirement claim")
        verbose_name_plural = _("retirement claims")
        permissions = [
            ("review_retirementclaim", _("Can verify, ask for documents and reject")),
            ("approve_retirementclaim", _("Can approve a retirement claim")),
        ]

    @property
    def contribution_years(self):
        if self.contribution_months is None:
            return None
        return (Decimal(self.contribution_months) / 12).quantize(Decimal("0.01"))

    @property
    def total_monthly(self):
        if self.basic_monthly is None or self.personal_monthly is None:
            return None
        return self.basic_monthly + self.personal_monthly

    @property
    def retirement_age_years(self):
        return retirement.whole_years(self.retirement_age_months)


workflow.register(WORKFLOW, RetirementClaim)


# --- the monthly payments -----------------------------------------------------------


class PensionIncrease(models.Model):
    """A yearly pension increase (养老金调整) in a pooling region, from its month on, for
    pensions in payment before that month: a percentage of the monthly pension or a
    fixed amount. Data, never a constant; region 000000 is the national default."""

    region = models.CharField(_("pooling region"), max_length=6)
    from_month = models.DateField(_("from month"), help_text=_("The first day of the month."))
    percent = models.DecimalField(
        _("percent"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    amount = models.DecimalField(_("amount a month"), null=True, blank=True, **MONEY)
    source = models.CharField(_("source"), max_length=200)
    # When the increase was entered: months paid before then were paid without it, and
    # the next run pays their arrears (`PensionArrears`).
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("pension increase")
        verbose_name_plural = _("pension increases")
        ordering = ["region", "from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "from_month"], name="one_pension_increase_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True, amount__isnull=False)
                | models.Q(percent__isnull=False, amount__isnull=True),
                name="pension_increase_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(from_month__day=1), name="pension_increase_first_of_month"
            ),
        ]

    def __str__(self):
        what = f"{self.percent} %" if self.percent is not None else f"+{self.amount}"
        return f"{self.region} {self.from_month:%Y-%m}: {what}"


class RetireeMedicalRate(models.Model):
    """What the medical pool credits each month to a retiree's personal medical account
    in a pooling region, from its month on (RULES §8; since the outpatient mutual-aid
    reform, 国办发〔2021〕14号, commonly about 2 % of the region's average pension): a
    fixed amount a month, or a percentage of the pensioner's own monthly pension. Data
    per region and period, never a constant; a run that needs a month no row covers
    refuses, naming region and month."""

    region = models.CharField(_("pooling region"), max_length=6)
    from_month = models.DateField(_("from month"), help_text=_("The first day of the month."))
    amount = models.DecimalField(_("amount a month"), null=True, blank=True, **MONEY)
    percent = models.DecimalField(
        _("percent of the monthly pension"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=200)
    illustrative = models.BooleanField(
        _("illustrative demo figure"),
        default=False,
        help_text=_("Not an official figure: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("retiree medical account credit rate")
        verbose_name_plural = _("retiree medical account credit rates")
        ordering = ["region", "from_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "from_month"], name="one_retiree_medical_rate_per_month"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True, amount__gte=0)
                | models.Q(percent__gte=0, amount__isnull=True),
                name="retiree_medical_rate_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(from_month__day=1), name="retiree_medical_rate_first_of_month"
            ),
        ]

    def __str__(self):
        what = f"{self.percent} %" if self.percent is not None else f"{self.amount}"
        return f"{self.region} {self.from_month:%Y-%m}: {what}"


class Destination(models.TextChoices):
    CARD = "card", _("Social security card (financial account)")
    BANK = "bank", _("Bank account on the claim")
    # Months owed at death, paid with the heirs' claim (`pensions.estate_arrears`).
    ESTATE = "estate", _("The heirs, with their claim on the estate")


class PensionPayment(AppendOnlyModel):
    """One month of a pension paid: its parts, the ledger transaction that paid it and
    where the money goes. Written with its posting, once per claim and month."""

    claim = models.ForeignKey(RetirementClaim, on_delete=models.PROTECT, related_name="payments")
    month = models.DateField(_("month"))
    basic = models.DecimalField(_("basic pension"), **MONEY)
    personal_from_account = models.DecimalField(
        _("personal part from the personal pension account"), **MONEY
    )
    personal_from_fund = models.DecimalField(_("personal part from the pension fund"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("paid to"), max_length=10, choices=Destination.choices)
    # A snapshot of the payee's details as they were when the month was paid.
    payee = models.CharField(_("payee"), max_length=100)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=40)
    back_pay = models.BooleanField(_("back pay"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pension payment")
        verbose_name_plural = _("pension payments")
        ordering = ["claim", "month"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "month"], name="one_pension_payment_a_month"),
            models.CheckConstraint(
                condition=models.Q(
                    total=models.F("basic")
                    + models.F("personal_from_account")
                    + models.F("personal_from_fund")
                ),
                name="pension_payment_parts_add_up",
            ),
        ]

    def __str__(self):
        return f"{self.claim_id} {self.month:%Y-%m}: {self.total}"

    @property
    def personal(self):
        return self.personal_from_account + self.personal_from_fund

    # The bank file's names (see casework.payout_files).
    @property
    def reference(self):
        return f"PP-{self.claim_id}-{self.month:%Y%m}"

    @property
    def amount(self):
        return self.total

    @property
    def bank_account_holder(self):
        return self.payee

    @property
    def bank_account_number(self):
        return self.account_number


class PensionArrears(AppendOnlyModel):
    """The arrears of one yearly increase for one pensioner: the months already paid
    at the amount before the increase was entered, paid once in a later run as their
    own posting (fund −A · benefits-payable +A), with the basis: the increase row, the
    months it covers and the difference a month."""

    claim = models.ForeignKey(RetirementClaim, on_delete=models.PROTECT, related_name="arrears")
    increase = models.ForeignKey(
        PensionIncrease, on_delete=models.PROTECT, related_name="+", verbose_name=_("increase")
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    months = models.PositiveSmallIntegerField(_("months"))
    amount = models.DecimalField(_("arrears"), **MONEY)
    paid_in = models.DateField(_("paid with the run of"))
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("paid to"), max_length=10, choices=Destination.choices)
    payee = models.CharField(_("payee"), max_length=100)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pension increase arrears")
        verbose_name_plural = _("pension increase arrears")
        ordering = ["claim", "first_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "increase"], name="one_arrears_per_claim_and_increase"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="arrears_positive"),
        ]

    def __str__(self):
        return f"{self.claim_id} {self.increase_id}: {self.amount}"

    @property
    def reference(self):
        return f"PA-{self.claim_id}-{self.increase_id}"


class RetireeMedicalCredit(AppendOnlyModel):
    """One month's credit of a pensioner's personal medical account by the region's
    medical pool (fund(medical) −C · personal(medical) +C), written with its posting by
    the monthly pension run, once per claim and month, with the rate row it used."""

    claim = models.ForeignKey(
        RetirementClaim, on_delete=models.PROTECT, related_name="medical_credits"
    )
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("credited"), **MONEY)
    rate = models.ForeignKey(
        RetireeMedicalRate, on_delete=models.PROTECT, related_name="+", verbose_name=_("rate")
    )
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("retiree medical account credit")
        verbose_name_plural = _("retiree medical account credits")
        ordering = ["claim", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "month"], name="one_retiree_medical_credit_a_month"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="retiree_medical_credit_positive"
            ),
        ]

    def __str__(self):
        return f"{self.claim_id} {self.month:%Y-%m}: {self.amount}"


class PensionPayout(models.Model):
    """One line of a bank batch paying a pension month or arrears to a bank account,
    and what the bank answered. Written when the line is first sent (the payment's own
    reference) or, after a failure and a corrected bank account, by the next run as the
    one re-sending of it (`replaces`); the money stays in benefits-payable until the
    bank confirms it (benefits-payable −A · paid out +A)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting to be sent to the bank")
        SENT = "sent", _("Sent to the bank")
        PAID = "paid", _("Paid by the bank")
        FAILED = "failed", _("The bank could not pay it")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    claim = models.ForeignKey(RetirementClaim, on_delete=models.PROTECT, related_name="payouts")
    payment = models.ForeignKey(
        PensionPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    arrears = models.ForeignKey(
        PensionArrears, null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resent_as",
        verbose_name=_("re-sends"),
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    amount = models.DecimalField(_("amount"), **MONEY)
    payee = models.CharField(_("payee"), max_length=100)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    result_at = models.DateTimeField(_("bank answered at"), null=True, blank=True)
    result_note = models.CharField(_("bank's note"), max_length=200, blank=True)
    transaction = models.ForeignKey(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pension bank payout")
        verbose_name_plural = _("pension bank payouts")
        ordering = ["claim", "pk"]
        # A batch is the lines sent together: the payout page pages through one by id,
        # of every status or of one.
        indexes = [
            models.Index(fields=["sent_at", "id"], name="pension_payout_batch"),
            models.Index(fields=["sent_at", "status", "id"], name="pension_payout_batch_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payment__isnull=False, arrears__isnull=True)
                | models.Q(payment__isnull=True, arrears__isnull=False),
                name="pension_payout_pays_one_thing",
            ),
            # A payment or arrears is sent once on its own; again only as a re-sending.
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(replaces__isnull=True, payment__isnull=False),
                name="one_first_payout_per_payment",
            ),
            models.UniqueConstraint(
                fields=["arrears"],
                condition=models.Q(replaces__isnull=True, arrears__isnull=False),
                name="one_first_payout_per_arrears",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.amount} ({self.status})"

    # The bank file's names (see casework.payout_files).
    @property
    def bank_account_holder(self):
        return self.payee

    @property
    def bank_account_number(self):
        return self.account_number

    @property
    def month(self):
        return self.payment.month if self.payment_id else None


class SuspendedMonth(AppendOnlyModel):
    """A month not paid because the living check had lapsed on its first day; paid as
    back pay by the first run after the check is confirmed again (its payment row says
    so)."""

    claim = models.ForeignKey(
        RetirementClaim, on_delete=models.PROTECT, related_name="suspended_months"
    )
    month = models.DateField(_("month"))
    check_due = models.DateField(_("living check was due"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suspended pension month")
        verbose_name_plural = _("suspended pension months")
        ordering = ["claim", "month"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "month"], name="one_suspension_a_month"),
        ]


class PensionOverpayment(AppendOnlyModel):
    """A month paid after the month of the pensioner's death: what was recovered from
    the remaining personal pension balance (by the ledger transaction named) and what
    is still owed, for staff to recover (SIL Art. 88)."""

    claim = models.ForeignKey(
        RetirementClaim, on_delete=models.PROTECT, related_name="overpayments"
    )
    month = models.DateField(_("month"))
    overpaid = models.DecimalField(_("overpaid"), **MONEY)
    recovered = models.DecimalField(_("recovered from the personal balance"), **MONEY)
    owed = models.DecimalField(_("still owed"), **MONEY)
    transaction = models.ForeignKey(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pension overpayment")
        verbose_name_plural = _("pension overpayments")
        ordering = ["claim", "month"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "month"], name="one_overpayment_a_month"),
            models.CheckConstraint(
                condition=models.Q(overpaid=models.F("recovered") + models.F("owed")),
                name="overpayment_parts_add_up",
            ),
        ]


# --- the yearly living check -----------------------------------------------------------


class LivingCheckConfirmation(models.Model):
    """One confirmation that a pensioner is alive (待遇资格认证). Append-only: a row is
    never changed or deleted; the latest one fixes the next due date."""

    class How(models.TextChoices):
        ONLINE = "online", _("Online by the pensioner, with their password")
        RELATIVE = "relative", _("By a relative at the service centre, confirmed by two staff")

    claim = models.ForeignKey(
        RetirementClaim, on_delete=models.PROTECT, related_name="living_checks"
    )
    confirmed_on = models.DateField(_("confirmed on"))
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    who = models.CharField(_("who confirmed"), max_length=200)
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pensioner's login"),
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    confirmed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by (second staff member)"),
    )
    due_before = models.DateField(_("due date before this confirmation"))
    next_due = models.DateField(_("next due date"))
    released_months = models.JSONField(_("suspended months released"), default=list)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("living check confirmation")
        verbose_name_plural = _("living check confirmations")
        ordering = ["-confirmed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "confirmed_on"], name="one_living_check_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(how="online", user__isnull=False)
                | models.Q(
                    how="relative",
                    recorded_by__isnull=False,
                    confirmed_by__isnull=False,
                )
                & ~models.Q(recorded_by=models.F("confirmed_by")),
                name="living_check_who_confirmed",
            ),
        ]

    def __str__(self):
        return f"{self.claim_id} {self.confirmed_on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A living check confirmation is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A living check confirmation is never deleted.")


class RelativeLivingCheck(models.Model):
    """A relative brought the pensioner's proof of life to the service centre: one
    staff member records it, a second confirms it, which writes the confirmation."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second staff member")
        CONFIRMED = "confirmed", _("Confirmed")

    claim = models.ForeignKey(
        RetirementClaim,
        on_delete=models.PROTECT,
        related_name="relative_living_checks",
        verbose_name=_("retirement claim"),
    )
    relative_name = models.CharField(_("relative's name"), max_length=100)
    relationship = models.CharField(_("relationship to the pensioner"), max_length=50)
    proof = models.CharField(
        _("proof of life seen"),
        max_length=300,
        help_text=_("What was shown, e.g. a recent photo of the pensioner with today's paper."),
    )
    seen_on = models.DateField(_("seen on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    confirmed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmation = models.OneToOneField(
        LivingCheckConfirmation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relative_record",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("relative's living check")
        verbose_name_plural = _("relatives' living checks")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("record_livingcheck", _("Can record a relative's living check")),
            ("confirm_livingcheck", _("Can confirm a relative's living check")),
        ]

    def __str__(self):
        return f"{self.relative_name} ({self.relationship})"


class LivingCheckNotice(models.Model):
    """A reminder or lapse notice sent, once per claim, kind and due date."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        LAPSED = "lapsed", _("Lapse notice")

    claim = models.ForeignKey(
        RetirementClaim, on_delete=models.PROTECT, related_name="living_check_notices"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due = models.DateField(_("due date"))
    recipient = models.CharField(_("e-mail sent to"), max_length=254, blank=True)
    sms_sent = models.BooleanField(_("text message sent"), default=False)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("living check notice")
        verbose_name_plural = _("living check notices")
        constraints = [
            models.UniqueConstraint(fields=["claim", "kind", "due"], name="one_living_check_notice")
        ]

    def __str__(self):
        return f"{self.claim_id} {self.kind} {self.due}"
