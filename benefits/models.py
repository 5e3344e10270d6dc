"""The public employment service's record of a person out of work (SIL Art. 50)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, Cardholder, LedgerTransaction
from benefits import skill_subsidy_rules, unemployment_rules
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
    SENTENCED = unemployment_rules.STOP_SENTENCED, _("Serving a sentence")


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


# --- the skill-upgrade subsidy -----------------------------------------------------------

SKILL_KIND = "skill_subsidy"


class CertificateLevel(models.TextChoices):
    PRIMARY = skill_subsidy_rules.PRIMARY, _("Primary (national level 5)")
    INTERMEDIATE = skill_subsidy_rules.INTERMEDIATE, _("Intermediate (national level 4)")
    ADVANCED = skill_subsidy_rules.ADVANCED, _("Advanced (national level 3)")


class SkillSubsidyAmount(models.Model):
    """The skill-upgrade subsidy a region pays for a certificate level (regional data;
    national guidance: primary 1,000, intermediate 1,500, advanced 2,000 yuan)."""

    region = models.CharField(_("pooling region"), max_length=6)
    level = models.CharField(_("certificate level"), max_length=20, choices=CertificateLevel)
    amount = models.DecimalField(_("amount"), **MONEY)
    source = models.CharField(_("source"), max_length=200)
    illustrative = models.BooleanField(
        _("illustrative demo figure"),
        default=False,
        help_text=_("Not an official figure: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("regional skill-upgrade subsidy amount")
        verbose_name_plural = _("regional skill-upgrade subsidy amounts")
        ordering = ["region", "level"]
        constraints = [
            models.UniqueConstraint(fields=["region", "level"], name="skill_amount_region_level"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="skill_amount_positive"),
        ]

    def __str__(self):
        return f"{self.region} {self.level}: {self.amount}"


class SkillStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Documents being checked")
    NEEDS_DOCUMENTS = "needs_documents", _("More documents needed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    APPROVED = "approved", _("Approved: subsidy paid")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


K = SkillStatus
SKILL_TABLE = (
    (workflow.SUBMIT, K.DRAFT, K.SUBMITTED),
    (workflow.SUBMIT, K.NEEDS_DOCUMENTS, K.SUBMITTED),
    (workflow.START_REVIEW, K.SUBMITTED, K.IN_REVIEW),
    (workflow.FINISH_REVIEW, K.IN_REVIEW, K.AWAITING_DECISION),
    (workflow.REQUEST_DOCUMENTS, K.IN_REVIEW, K.NEEDS_DOCUMENTS),
    (workflow.REQUEST_DOCUMENTS, K.AWAITING_DECISION, K.NEEDS_DOCUMENTS),
    (workflow.APPROVE, K.AWAITING_DECISION, K.APPROVED),
    (workflow.REJECT, K.IN_REVIEW, K.REJECTED),
    (workflow.REJECT, K.AWAITING_DECISION, K.REJECTED),
    (workflow.REJECT, K.NEEDS_DOCUMENTS, K.REJECTED),
    (workflow.WITHDRAW, K.DRAFT, K.WITHDRAWN),
    (workflow.WITHDRAW, K.SUBMITTED, K.WITHDRAWN),
    (workflow.WITHDRAW, K.IN_REVIEW, K.WITHDRAWN),
    (workflow.WITHDRAW, K.NEEDS_DOCUMENTS, K.WITHDRAWN),
    (workflow.WITHDRAW, K.AWAITING_DECISION, K.WITHDRAWN),
)


class SkillDocumentKind(models.TextChoices):
    CERTIFICATE = skill_subsidy_rules.CERTIFICATE_SCAN, _("Scan of the skill certificate")
    OTHER_SKILL = "skill_other", _("Other document")


SKILL_WORKFLOW = workflow.Workflow(
    kind=SKILL_KIND,
    title=_("skill-upgrade subsidy claim"),
    states=SkillStatus,
    transitions=SKILL_TABLE,
    document_kinds=SkillDocumentKind,
    emails={
        K.NEEDS_DOCUMENTS: _("More documents needed"),
        K.APPROVED: _("Skill-upgrade subsidy approved"),
        K.REJECTED: _("Skill-upgrade subsidy claim rejected"),
    },
    email_template="benefits/email/skill/{status}.txt",
    applicant_url=lambda claim: reverse("benefits:skill_subsidy"),
    email_context=lambda claim: {"how_to_contest": HOW_TO_CONTEST},
    permission_app="benefits",
    read_perms=(
        "benefits.view_skillsubsidyclaim",
        "benefits.review_skillsubsidyclaim",
        "benefits.approve_skillsubsidyclaim",
    ),
    document_perms=("benefits.review_skillsubsidyclaim", "benefits.approve_skillsubsidyclaim"),
    next_steps={
        K.DRAFT: _("Upload a scan of your certificate and submit the claim."),
        K.SUBMITTED: _("Your documents will be checked automatically, usually within minutes."),
        K.IN_REVIEW: _("Your documents are being checked automatically."),
        K.NEEDS_DOCUMENTS: _("Read the reviewer's message, add the documents and submit again."),
        K.AWAITING_DECISION: _(
            "A member of staff will verify your certificate and record and another will decide."
        ),
        K.APPROVED: _(
            "The subsidy is paid once, to your social security card's financial account, "
            "with the next bank batch."
        ),
        K.REJECTED: _("Nothing more. You may claim again if things change."),
        K.WITHDRAWN: _("Nothing more. You may claim again at any time."),
    },
)

# A claim in these states holds its certificate level and number.
SKILL_STANDING_STATES = tuple(
    dict.fromkeys((*SKILL_WORKFLOW.editable_states, *SKILL_WORKFLOW.open_states, K.APPROVED))
)


class SkillSubsidyClaim(Case):
    """A claim to the skill-upgrade subsidy for one certificate; the amount is fixed,
    with the region's figure used, at approval."""

    KIND = SKILL_KIND
    Status = SkillStatus

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    level = models.CharField(_("certificate level"), max_length=20, choices=CertificateLevel)
    certificate_number = models.CharField(_("certificate number"), max_length=40)
    issued_on = models.DateField(_("certificate issued on"))
    applied_on = models.DateField(_("applied on"))
    contribution_months = models.PositiveIntegerField(
        _("unemployment contribution months"), null=True, blank=True
    )
    amount = models.DecimalField(_("subsidy"), null=True, blank=True, **MONEY)
    amount_region = models.CharField(_("region of the amount"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("skill-upgrade subsidy claim")
        verbose_name_plural = _("skill-upgrade subsidy claims")
        permissions = [
            ("review_skillsubsidyclaim", _("Can verify, ask for documents and reject")),
            ("approve_skillsubsidyclaim", _("Can approve a skill-upgrade subsidy claim")),
        ]
        indexes = [models.Index(fields=["certificate_number"], name="skill_claim_certificate")]


workflow.register(SKILL_WORKFLOW, SkillSubsidyClaim)


# --- vocational training -----------------------------------------------------------------

TRAINING_KIND = "training"
ENROL = "enrol"
COMPLETE = "complete"


class TrainingCourse(models.Model):
    """A subsidised vocational training course in the catalogue: the provider (paid
    the course subsidy for each person who completes it, from the region's
    unemployment fund), the dates and the places."""

    title = models.CharField(_("title"), max_length=200)
    provider_name = models.CharField(_("provider"), max_length=200)
    provider_bank_name = models.CharField(_("provider's bank"), max_length=100)
    provider_account_number = models.CharField(_("provider's bank account number"), max_length=40)
    region = models.CharField(
        _("pooling region"),
        max_length=6,
        help_text=_("The region whose unemployment fund pays the course subsidy."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    places = models.PositiveIntegerField(_("places"))
    subsidy_amount = models.DecimalField(_("course subsidy per person"), **MONEY)
    qualification = models.CharField(
        _("qualification on completion"),
        max_length=200,
        blank=True,
        help_text=_("Recorded in the person's qualifications; the title when empty."),
    )
    listed = models.BooleanField(_("open for applications"), default=True)
    illustrative = models.BooleanField(
        _("illustrative demo course"),
        default=False,
        help_text=_("Not a real course: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="training_course_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(places__gt=0), name="training_course_has_places"
            ),
            models.CheckConstraint(
                condition=models.Q(subsidy_amount__gte=0), name="training_subsidy_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.provider_name}, {self.starts_on:%Y-%m-%d})"

    @property
    def qualification_title(self):
        return self.qualification or self.title


class TrainingStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


T = TrainingStatus
TRAINING_TABLE = (
    (ENROL, T.APPLIED, T.ENROLLED),
    (COMPLETE, T.ENROLLED, T.COMPLETED),
    (workflow.REJECT, T.APPLIED, T.REJECTED),
    (workflow.WITHDRAW, T.APPLIED, T.WITHDRAWN),
)

TRAINING_WORKFLOW = workflow.Workflow(
    kind=TRAINING_KIND,
    title=_("training application"),
    states=TrainingStatus,
    transitions=TRAINING_TABLE,
    emails={
        T.ENROLLED: _("Your place on the course is confirmed"),
        T.COMPLETED: _("Your training is completed"),
        T.REJECTED: _("Your training application was not accepted"),
    },
    email_template="benefits/email/training/{status}.txt",
    applicant_url=lambda application: reverse("training:training"),
    email_context=lambda application: {"how_to_contest": HOW_TO_CONTEST},
    permission_app="benefits",
    read_perms=("benefits.view_trainingapplication", "benefits.review_trainingapplication"),
    next_steps={
        T.APPLIED: _("The service centre will confirm your place before the course starts."),
        T.ENROLLED: _(
            "Attend the course. When the provider reports that you completed it, the "
            "qualification joins your record."
        ),
        T.COMPLETED: _(
            "The qualification is on your record; the course was paid for by the unemployment fund."
        ),
        T.REJECTED: _("Nothing more. You may apply for another course."),
        T.WITHDRAWN: _("Nothing more. You may apply again while places are left."),
    },
)
# Applications that hold a place on their course.
TRAINING_HOLDING_STATES = (T.APPLIED, T.ENROLLED, T.COMPLETED)


class TrainingApplication(Case):
    """A registered unemployed person's application for a place on a course."""

    KIND = TRAINING_KIND
    Status = TrainingStatus

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )
    course = models.ForeignKey(
        TrainingCourse,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("course"),
    )
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("training application")
        verbose_name_plural = _("training applications")
        permissions = [
            (
                "review_trainingapplication",
                _("Can confirm enrolment and completion, and refuse a place"),
            ),
        ]


workflow.register(TRAINING_WORKFLOW, TrainingApplication)


# --- one-off subsidies paid from the unemployment fund, and the person's qualifications ---


class SubsidyPayment(models.Model):
    """A subsidy paid once from a region's unemployment fund (fund −A · benefits
    payable +A) and its line in the bank batch: the skill-upgrade subsidy to the
    person's card, or a course subsidy to the training provider.

    The database pays each claim and each training place once (one row each), and a
    skill-upgrade subsidy once per person and level and once per certificate number."""

    class Kind(models.TextChoices):
        SKILL_SUBSIDY = "skill_subsidy", _("Skill-upgrade subsidy")
        TRAINING_SUBSIDY = "training_subsidy", _("Course subsidy to the provider")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the next bank batch")
        SENT = "sent", _("Sent to the bank")
        PAID = "paid", _("Paid by the bank")
        FAILED = "failed", _("The bank could not pay")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    skill_claim = models.OneToOneField(
        SkillSubsidyClaim,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    training_application = models.OneToOneField(
        TrainingApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment",
    )
    # For the skill-upgrade subsidy: once per person and level, once per certificate.
    cardholder = models.ForeignKey(
        Cardholder, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("certificate level"), max_length=20, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    region = models.CharField(_("fund region"), max_length=6)
    amount = models.DecimalField(_("amount"), **MONEY)
    payee = models.CharField(_("payee"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=40)
    transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="subsidy_payment"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    result_at = models.DateTimeField(_("bank's answer at"), null=True, blank=True)
    result_note = models.CharField(_("bank's note"), max_length=200, blank=True)
    confirmation = models.OneToOneField(
        LedgerTransaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subsidy payment")
        verbose_name_plural = _("subsidy payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind="skill_subsidy",
                    skill_claim__isnull=False,
                    training_application__isnull=True,
                    cardholder__isnull=False,
                )
                | models.Q(
                    kind="training_subsidy",
                    skill_claim__isnull=True,
                    training_application__isnull=False,
                ),
                name="subsidy_payment_pays_one_thing",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="subsidy_positive"),
            models.UniqueConstraint(
                fields=["cardholder", "level"],
                condition=models.Q(kind="skill_subsidy"),
                name="one_skill_subsidy_per_level",
            ),
            models.UniqueConstraint(
                fields=["certificate_number"],
                condition=models.Q(kind="skill_subsidy"),
                name="one_skill_subsidy_per_certificate",
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
    def case(self):
        return self.skill_claim if self.skill_claim_id else self.training_application


class Qualification(models.Model):
    """A vocational qualification on the person's record: a skill certificate they
    claimed the subsidy for, or a course completed."""

    class Source(models.TextChoices):
        CERTIFICATE = "certificate", _("Skill certificate")
        TRAINING = "training", _("Vocational training completed")

    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="qualifications"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # The course's qualification; empty for a certificate (its level names it).
    title = models.CharField(_("qualification"), max_length=200, blank=True)
    level = models.CharField(
        _("certificate level"), max_length=20, choices=CertificateLevel, blank=True
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    issued_on = models.DateField(_("issued on"))
    skill_claim = models.OneToOneField(
        SkillSubsidyClaim,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qualification",
    )
    training_application = models.OneToOneField(
        TrainingApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qualification",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-issued_on", "-id"]

    def __str__(self):
        return f"{self.cardholder_id} {self.title} {self.issued_on}"

    @property
    def display_title(self):
        if self.title:
            return self.title
        return _("Skill certificate, %(level)s") % {"level": self.get_level_display()}

    @property
    def reference(self):
        case = self.skill_claim if self.skill_claim_id else self.training_application
        return case.reference if case is not None else ""
