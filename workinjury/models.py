from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, Employer, LedgerTransaction
from casework import workflow
from casework.models import Case
from core.rights import HOW_TO_CONTEST
from workinjury import appraisal_rules, death_rules, eligibility

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
    # The standing of the latest concluded labour-capacity appraisal (WIR Art. 21-28)
    # and the benefits fixed with it (Art. 35-37, 64).
    grade = models.PositiveSmallIntegerField(_("disability grade"), null=True, blank=True)
    own_wage = models.DecimalField(_("own monthly wage"), null=True, blank=True, **MONEY)
    one_time_subsidy = models.DecimalField(
        _("one-time disability subsidy"), null=True, blank=True, **MONEY
    )
    monthly_allowance = models.DecimalField(
        _("monthly disability allowance"), null=True, blank=True, **MONEY
    )
    allowance_from = models.DateField(
        _("monthly allowance paid from"),
        null=True,
        blank=True,
        help_text=_("The first day of the first month the allowance is paid for."),
    )
    # The nursing allowance of a worker who needs living care (Art. 34).
    nursing_allowance = models.DecimalField(
        _("monthly nursing allowance"), null=True, blank=True, **MONEY
    )
    nursing_from = models.DateField(
        _("nursing allowance paid from"),
        null=True,
        blank=True,
        help_text=_("The first day of the first month the nursing allowance is paid for."),
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


# --- the labour-capacity appraisal (WIR Art. 21-28) -------------------------------------

APPRAISAL_KIND = "injury_appraisal"
CONCLUDE = workflow.APPROVE


class AppraisalStatus(models.TextChoices):
    APPLIED = "applied", _("Waiting for the appraisal committee")
    CONCLUDED = "concluded", _("Appraised")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AppraisalRound(models.TextChoices):
    INITIAL = appraisal_rules.INITIAL, _("First appraisal")
    REAPPRAISAL = appraisal_rules.REAPPRAISAL, _("Re-appraisal (within 15 days)")
    REVIEW = appraisal_rules.REVIEW, _("Review after a year")


class SelfCare(models.TextChoices):
    NONE = appraisal_rules.SELF_CARE_NONE, _("Can care for themself")
    PARTIAL = appraisal_rules.SELF_CARE_PARTIAL, _("Partly unable to care for themself")
    MOSTLY = appraisal_rules.SELF_CARE_MOSTLY, _("Mostly unable to care for themself")
    WHOLLY = appraisal_rules.SELF_CARE_WHOLLY, _("Wholly unable to care for themself")


A = AppraisalStatus
APPRAISAL_TABLE = (
    (CONCLUDE, A.APPLIED, A.CONCLUDED),
    (workflow.WITHDRAW, A.APPLIED, A.WITHDRAWN),
)

APPRAISAL_WORKFLOW = workflow.Workflow(
    kind=APPRAISAL_KIND,
    title=_("labour-capacity appraisal"),
    states=AppraisalStatus,
    transitions=APPRAISAL_TABLE,
    emails={A.CONCLUDED: _("Labour-capacity appraisal concluded")},
    email_template="workinjury/email/appraisal_{status}.txt",
    email_context=lambda case: {"how_to_contest": HOW_TO_CONTEST},
    permission_app="workinjury",
    read_perms=(
        "workinjury.view_labourcapacityappraisal",
        "workinjury.conclude_labourcapacityappraisal",
    ),
    next_steps={
        A.APPLIED: _(
            "The appraisal committee examines you and concludes within 60 days (extendable by 30)."
        ),
        A.CONCLUDED: _(
            "The grade sets your benefits. If you disagree, ask for a re-appraisal within "
            "15 days; a year on, a review may be asked for if your condition changed."
        ),
        A.WITHDRAWN: _("Nothing more. You may apply again."),
    },
)


class LabourCapacityAppraisal(Case):
    """An application to have the labour capacity of a worker with a recognised work
    injury appraised (WIR Art. 21-28): the first appraisal, a re-appraisal (Art. 26) or
    a review (Art. 28). The committee's conclusion and the benefits fixed with it are
    kept here with every figure used."""

    KIND = APPRAISAL_KIND
    Status = AppraisalStatus
    Round = AppraisalRound

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    recognition = models.ForeignKey(
        InjuryRecognition,
        on_delete=models.PROTECT,
        related_name="appraisals",
        verbose_name=_("work-injury recognition"),
    )
    round = models.CharField(_("round"), max_length=12, choices=AppraisalRound.choices)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("conclusion contested or reviewed"),
    )
    # The conclusion (Art. 22).
    grade = models.PositiveSmallIntegerField(_("disability grade"), null=True, blank=True)
    self_care = models.CharField(
        _("self-care level"), max_length=10, choices=SelfCare.choices, blank=True
    )
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    # The own wage (Art. 64) and the benefits (Art. 35-37), fixed at the conclusion.
    wage_months = models.PositiveSmallIntegerField(
        _("months of wage on record"), null=True, blank=True
    )
    wage_average = models.DecimalField(
        _("average wage of the months before the injury"), null=True, blank=True, **MONEY
    )
    regional_average = models.DecimalField(
        _("regional average monthly wage"), null=True, blank=True, **MONEY
    )
    regional_year = models.PositiveSmallIntegerField(
        _("year of the regional average wage"), null=True, blank=True
    )
    regional_source = models.CharField(
        _("source of the regional figure"), max_length=200, blank=True
    )
    bound_applied = models.CharField(_("bound applied"), max_length=5, blank=True)
    own_wage = models.DecimalField(_("own monthly wage"), null=True, blank=True, **MONEY)
    one_time_subsidy = models.DecimalField(
        _("one-time disability subsidy"), null=True, blank=True, **MONEY
    )
    subsidy_paid = models.DecimalField(
        _("one-time subsidy paid with this conclusion"), null=True, blank=True, **MONEY
    )
    subsidy_transaction = models.OneToOneField(
        LedgerTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="injury_subsidy",
    )
    monthly_allowance = models.DecimalField(
        _("monthly disability allowance"), null=True, blank=True, **MONEY
    )
    # The nursing allowance (Art. 34), fixed at the conclusion with its figures.
    nursing_percent = models.DecimalField(
        _("nursing allowance, percent of the regional average wage"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    nursing_regional_average = models.DecimalField(
        _("regional average monthly wage for the nursing allowance"),
        null=True,
        blank=True,
        **MONEY,
    )
    nursing_regional_year = models.PositiveSmallIntegerField(
        _("year of that regional average wage"), null=True, blank=True
    )
    nursing_source = models.CharField(_("source of the nursing rate"), max_length=200, blank=True)
    nursing_allowance = models.DecimalField(
        _("monthly nursing allowance"), null=True, blank=True, **MONEY
    )

    class Meta:
        verbose_name = _("labour-capacity appraisal")
        verbose_name_plural = _("labour-capacity appraisals")
        permissions = [
            (
                "conclude_labourcapacityappraisal",
                _("Can record the appraisal committee's conclusion"),
            ),
        ]

    @property
    def conclude_by(self):
        """The last day for the conclusion (WIR Art. 25), once applied."""
        if self.submitted_at is None:
            return None
        return appraisal_rules.conclude_by(self.submitted_at.date())

    @property
    def reappraisal_by(self):
        if self.concluded_on is None or self.round == AppraisalRound.REAPPRAISAL:
            return None
        return appraisal_rules.reappraisal_deadline(self.concluded_on)

    @property
    def review_from(self):
        if self.concluded_on is None:
            return None
        return appraisal_rules.review_earliest(self.concluded_on)


workflow.register(APPRAISAL_WORKFLOW, LabourCapacityAppraisal)


class InjuryAllowancePayment(models.Model):
    """One month of the monthly disability allowance (WIR Art. 35) paid from the
    region's work-injury fund. Unique per person and month: a month is paid once."""

    recognition = models.ForeignKey(
        InjuryRecognition, on_delete=models.PROTECT, related_name="allowance_payments"
    )
    cardholder = models.ForeignKey(
        "accounts.Cardholder", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    amount = models.DecimalField(_("allowance"), **MONEY)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="injury_allowance"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disability allowance payment")
        verbose_name_plural = _("disability allowance payments")
        ordering = ["recognition", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["cardholder", "month"], name="one_injury_allowance_a_month"
            ),
        ]

    def __str__(self):
        return f"{self.recognition_id} {self.month:%Y-%m} {self.amount}"


class InjurySubsidyPayment(models.Model):
    """A one-time work-injury payment posted from the region's work-injury fund to
    payouts payable, and its line in the shared bank batch (`casework.payout_files`):
    the one-time disability subsidy of a conclusion (Art. 35-37), to the worker's
    social security card. The bank's confirmation moves it from payouts payable to paid
    out; a failure moves nothing and the line goes out again with the next batch.

    One row per conclusion and one per ledger posting: each is sent and confirmed once."""

    class Kind(models.TextChoices):
        ONE_TIME_SUBSIDY = "one_time_subsidy", _("One-time disability subsidy")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the next bank batch")
        SENT = "sent", _("Sent to the bank")
        PAID = "paid", _("Paid by the bank")
        FAILED = "failed", _("The bank could not pay")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    appraisal = models.OneToOneField(
        LabourCapacityAppraisal, on_delete=models.PROTECT, related_name="subsidy_payment"
    )
    recognition = models.ForeignKey(
        InjuryRecognition, on_delete=models.PROTECT, related_name="subsidy_payments"
    )
    cardholder = models.ForeignKey(
        "accounts.Cardholder", on_delete=models.PROTECT, related_name="+"
    )
    region = models.CharField(_("fund region"), max_length=6)
    amount = models.DecimalField(_("amount"), **MONEY)
    payee = models.CharField(_("payee"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=40)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="injury_subsidy_payment"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    sendings = models.PositiveSmallIntegerField(_("times sent"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    result_at = models.DateTimeField(_("bank's answer at"), null=True, blank=True)
    result_note = models.CharField(_("bank's note"), max_length=200, blank=True)
    confirmation = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("work-injury subsidy payment")
        verbose_name_plural = _("work-injury subsidy payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="injury_subsidy_payment_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(confirmation__isnull=False),
                name="injury_subsidy_paid_is_confirmed",
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


class NursingSelfCare(models.TextChoices):
    WHOLLY = appraisal_rules.SELF_CARE_WHOLLY, _("Wholly unable to care for themself")
    MOSTLY = appraisal_rules.SELF_CARE_MOSTLY, _("Mostly unable to care for themself")
    PARTIAL = appraisal_rules.SELF_CARE_PARTIAL, _("Partly unable to care for themself")


class NursingAllowanceRate(models.Model):
    """A region's nursing allowance (WIR Art. 34) for one self-care level, as a
    percentage of the region's average monthly wage, from a date: data, never a
    constant. The rate valid on the day of the conclusion is used."""

    region = models.CharField(_("region"), max_length=6)
    self_care = models.CharField(
        _("self-care level"), max_length=10, choices=NursingSelfCare.choices
    )
    percent = models.DecimalField(
        _("percent of the regional average monthly wage"), max_digits=5, decimal_places=2
    )
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("nursing allowance rate")
        verbose_name_plural = _("nursing allowance rates")
        ordering = ["region", "self_care", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "self_care", "valid_from"], name="one_nursing_rate_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(percent__gt=0, percent__lte=100), name="nursing_rate_percent"
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.self_care} {self.percent} % from {self.valid_from}"


class InjuryNursingPayment(models.Model):
    """One month of the nursing allowance (WIR Art. 34) paid from the region's
    work-injury fund. Unique per person and month: a month is paid once."""

    recognition = models.ForeignKey(
        InjuryRecognition, on_delete=models.PROTECT, related_name="nursing_payments"
    )
    cardholder = models.ForeignKey(
        "accounts.Cardholder", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    amount = models.DecimalField(_("nursing allowance"), **MONEY)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="injury_nursing"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nursing allowance payment")
        verbose_name_plural = _("nursing allowance payments")
        ordering = ["recognition", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["cardholder", "month"], name="one_injury_nursing_a_month"
            ),
        ]

    def __str__(self):
        return f"{self.recognition_id} {self.month:%Y-%m} {self.amount}"


# --- death at work (WIR Art. 39) ------------------------------------------------------


class NationalDisposableIncome(models.Model):
    """The national urban per-capita disposable income of a year, as the National
    Bureau of Statistics publishes it: data, never a constant. The one-time work-death
    subsidy is 20 times the figure of the year before the death (WIR Art. 39)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.DecimalField(_("urban per-capita disposable income"), **MONEY)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("national urban per-capita disposable income")
        verbose_name_plural = _("national urban per-capita disposable incomes")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}: {self.amount}"


class WorkDeathStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded, waiting for the decision")
    APPROVED = "approved", _("Approved: benefits paid")
    REFUSED = "refused", _("Refused")


class Relation(models.TextChoices):
    SPOUSE = death_rules.SPOUSE, _("Spouse")
    CHILD = death_rules.CHILD, _("Child")
    PARENT = death_rules.PARENT, _("Parent")
    OTHER = death_rules.OTHER, _("Other relative the worker supported")


class WorkDeathBenefit(models.Model):
    """The benefits of a death caused by a recognised work injury (WIR Art. 39): one per
    injury. A reviewer records the death and the dependants; someone else decides. The
    approval fixes every figure used and pays the funeral and one-time subsidies once;
    the dependants' pensions are paid month by month by the monthly benefit run."""

    Status = WorkDeathStatus

    recognition = models.OneToOneField(
        InjuryRecognition,
        on_delete=models.PROTECT,
        related_name="death_benefit",
        verbose_name=_("work-injury recognition"),
    )
    died_on = models.DateField(_("date of death"))
    status = models.CharField(
        _("status"), max_length=10, choices=WorkDeathStatus.choices, default="recorded"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_code = models.CharField(_("refusal code"), max_length=40, blank=True)
    refusal_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    # The figures, fixed at the approval.
    regional_average = models.DecimalField(
        _("regional average monthly wage"), null=True, blank=True, **MONEY
    )
    regional_year = models.PositiveSmallIntegerField(
        _("year of the regional average wage"), null=True, blank=True
    )
    regional_source = models.CharField(
        _("source of the regional figure"), max_length=200, blank=True
    )
    funeral_subsidy = models.DecimalField(_("funeral subsidy"), null=True, blank=True, **MONEY)
    income_amount = models.DecimalField(
        _("national urban per-capita disposable income"), null=True, blank=True, **MONEY
    )
    income_year = models.PositiveSmallIntegerField(_("year of the income"), null=True, blank=True)
    income_source = models.CharField(_("source of the income"), max_length=200, blank=True)
    one_time_subsidy = models.DecimalField(
        _("one-time work-death subsidy"), null=True, blank=True, **MONEY
    )
    wage_months = models.PositiveSmallIntegerField(
        _("months of wage on record"), null=True, blank=True
    )
    wage_average = models.DecimalField(
        _("average wage of the months before the injury"), null=True, blank=True, **MONEY
    )
    bound_applied = models.CharField(_("bound applied"), max_length=5, blank=True)
    own_wage = models.DecimalField(_("own monthly wage"), null=True, blank=True, **MONEY)
    pensions_total = models.DecimalField(
        _("dependants' pensions a month"), null=True, blank=True, **MONEY
    )
    pensions_capped = models.BooleanField(_("cut to the worker's own wage"), default=False)
    pension_from = models.DateField(
        _("dependants' pensions paid from"),
        null=True,
        blank=True,
        help_text=_("The first day of the first month the dependants' pensions are paid for."),
    )
    funeral_transaction = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subsidy_transaction = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The heirs' claim on the deceased that paid the two subsidies out, by share: set
    # once, in that claim's approval; one claim per benefit and one benefit per claim.
    heirs_claim = models.OneToOneField(
        "withdrawals.WithdrawalApplication",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_death_benefit",
        verbose_name=_("paid to the heirs with claim"),
    )

    class Meta:
        verbose_name = _("work-death benefit")
        verbose_name_plural = _("work-death benefits")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.recognition.reference} †{self.died_on}"


class WorkDeathDependant(models.Model):
    """A relative the worker supported, who draws a dependants' pension (Art. 39(2))."""

    Relation = Relation

    benefit = models.ForeignKey(
        WorkDeathBenefit, on_delete=models.PROTECT, related_name="dependants"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    relation = models.CharField(
        _("relation to the worker"), max_length=10, choices=Relation.choices
    )
    lone = models.BooleanField(
        _("lone elder or orphan"), default=False, help_text=_("10 % more (WIR Art. 39).")
    )
    until = models.DateField(
        _("paid until"),
        null=True,
        blank=True,
        help_text=_("The day the right ends, when staff know it; empty while it lasts."),
    )
    share = models.DecimalField(_("share of the wage"), max_digits=4, decimal_places=2, null=True)
    monthly_amount = models.DecimalField(_("monthly pension"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("dependant")
        verbose_name_plural = _("dependants")
        ordering = ["benefit", "position"]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"


class WorkDeathPensionPayment(models.Model):
    """One month of a dependant's pension paid from the region's work-injury fund.
    Unique per dependant and month: a month is paid once."""

    dependant = models.ForeignKey(
        WorkDeathDependant, on_delete=models.PROTECT, related_name="payments"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    amount = models.DecimalField(_("pension paid"), **MONEY)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dependant's pension payment")
        verbose_name_plural = _("dependants' pension payments")
        ordering = ["dependant", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["dependant", "month"], name="one_death_pension_a_month"
            ),
        ]

    def __str__(self):
        return f"{self.dependant_id} {self.month:%Y-%m} {self.amount}"
