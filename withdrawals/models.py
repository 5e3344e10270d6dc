"""The withdrawal kind of case: a claim on a cardholder's personal-account balance.

The case record, its timeline, documents and emails are `casework`'s; this module
holds what only a withdrawal has (reason, accounts claimed, bank details, the pension
notice, the payout), its states and its transitions table (`TABLE`, DESIGN.md's state
table). Status changes go through `withdrawals.services` and
`casework.services.case_transition` only.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from accounts.models import MONEY, Cardholder, LedgerTransaction
from accounts.pii import NationalIdDigestField
from accounts.validators import mask_national_id
from casework import workflow
from casework.models import (
    Case,
    Document,
    Event,
    Finding,  # noqa: F401  (read from here by older code)
    Notification,
)
from withdrawals import eligibility, heirs

KIND = "withdrawal"
# The payout steps, the withdrawal kind's own actions.
PAYOUT_CONFIRMED = "payout_confirmed"
PAYOUT_FAILED = "payout_failed"
PAYOUT_REQUEUED = "payout_requeued"
# The person a death claim names says they are alive: the claim is held for staff,
# who release it (back where it was) or reject it.
CONTEST = "contest"
RESOLVE_CONTEST = "resolve_contest"


class Reason(models.TextChoices):
    DEATH = eligibility.DEATH, _("The cardholder has died")
    EMIGRATION = eligibility.EMIGRATION, _("The cardholder has emigrated and settled abroad")


class Relationship(models.TextChoices):
    SELF = "self", _("I am the cardholder")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_HEIR = "other_heir", _("Other legal heir")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("Documents being checked")
    NEEDS_DOCUMENTS = "needs_documents", _("More documents needed")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    APPROVED = "approved", _("Approved, payment on its way")
    PAID = "paid", _("Paid")
    PAYOUT_FAILED = "payout_failed", _("Payment failed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # The person the claim names said it is not their death: staff must resolve it.
    CONTESTED = "contested", _("On hold: being checked by staff")


S = Status
# The transitions table: (action, from, to). Every allowed change of status; anything
# else is refused. Which states allow an action is read from here (casework.workflow).
TABLE = (
    (workflow.SUBMIT, S.DRAFT, S.SUBMITTED),
    (workflow.SUBMIT, S.NEEDS_DOCUMENTS, S.SUBMITTED),
    (workflow.START_REVIEW, S.SUBMITTED, S.IN_REVIEW),
    (workflow.FINISH_REVIEW, S.IN_REVIEW, S.AWAITING_DECISION),
    (workflow.REQUEST_DOCUMENTS, S.IN_REVIEW, S.NEEDS_DOCUMENTS),
    (workflow.REQUEST_DOCUMENTS, S.AWAITING_DECISION, S.NEEDS_DOCUMENTS),
    (workflow.APPROVE, S.AWAITING_DECISION, S.APPROVED),
    (PAYOUT_CONFIRMED, S.APPROVED, S.PAID),
    (PAYOUT_FAILED, S.APPROVED, S.PAYOUT_FAILED),
    (PAYOUT_REQUEUED, S.PAYOUT_FAILED, S.APPROVED),
    (workflow.REJECT, S.IN_REVIEW, S.REJECTED),
    (workflow.REJECT, S.AWAITING_DECISION, S.REJECTED),
    # A claim waiting for documents that will never come (a forged certificate, say)
    # can be refused without first asking for more.
    (workflow.REJECT, S.NEEDS_DOCUMENTS, S.REJECTED),
    (workflow.WITHDRAW, S.DRAFT, S.WITHDRAWN),
    (workflow.WITHDRAW, S.SUBMITTED, S.WITHDRAWN),
    (workflow.WITHDRAW, S.IN_REVIEW, S.WITHDRAWN),
    (workflow.WITHDRAW, S.NEEDS_DOCUMENTS, S.WITHDRAWN),
    (workflow.WITHDRAW, S.AWAITING_DECISION, S.WITHDRAWN),
    (workflow.WITHDRAW, S.CONTESTED, S.WITHDRAWN),
    # A contest holds the claim; only staff release it (back where it was) or reject it.
    (CONTEST, S.SUBMITTED, S.CONTESTED),
    (CONTEST, S.IN_REVIEW, S.CONTESTED),
    (CONTEST, S.NEEDS_DOCUMENTS, S.CONTESTED),
    (CONTEST, S.AWAITING_DECISION, S.CONTESTED),
    (RESOLVE_CONTEST, S.CONTESTED, S.SUBMITTED),
    (RESOLVE_CONTEST, S.CONTESTED, S.IN_REVIEW),
    (RESOLVE_CONTEST, S.CONTESTED, S.NEEDS_DOCUMENTS),
    (RESOLVE_CONTEST, S.CONTESTED, S.AWAITING_DECISION),
    (RESOLVE_CONTEST, S.CONTESTED, S.REJECTED),
)


class DocumentKind(models.TextChoices):
    DEATH_CERTIFICATE = eligibility.DEATH_CERTIFICATE, _("Death certificate")
    HEIRSHIP_PROOF = eligibility.HEIRSHIP_PROOF, _("Proof of heirship or kinship")
    APPLICANT_ID = eligibility.APPLICANT_ID, _("Applicant's identity document")
    EXIT_CERTIFICATE = eligibility.EXIT_CERTIFICATE, _("Exit / overseas settlement certificate")
    NATIONALITY_PROOF = eligibility.NATIONALITY_PROOF, _("Proof of giving up PRC nationality")
    # What proves who the heirs are and their shares (withdrawals.heirs).
    INHERITANCE_CERTIFICATE = heirs.INHERITANCE_CERTIFICATE, _("Notarised inheritance certificate")
    HEIRS_AGREEMENT = heirs.HEIRS_AGREEMENT, _("Agreement signed by every heir")
    COURT_JUDGMENT = heirs.COURT_JUDGMENT, _("Court judgment on the inheritance")
    WILL = heirs.WILL, _("Will")
    NO_OTHER_HEIR = heirs.NO_OTHER_HEIR, _("Declaration that there is no other heir")
    RENUNCIATION = heirs.RENUNCIATION, _("Renunciation by the first-order heirs")
    PREDECEASED_CHILD_DEATH = (
        heirs.PREDECEASED_CHILD_DEATH,
        _("Death certificate of a child who died before the deceased"),
    )
    OTHER = "other", _("Other")


def _email_context(application):
    return {
        "applicant_name": application.applicant.get_full_name() or application.bank_account_holder,
        "account_tail": application.bank_account_number.replace(" ", "")[-4:],
    }


WORKFLOW = workflow.Workflow(
    kind=KIND,
    title=_("withdrawal application"),
    states=Status,
    transitions=TABLE,
    document_kinds=DocumentKind,
    # The subject per new status; the body is templates/withdrawals/email/<status>.txt.
    emails={
        S.SUBMITTED: _("Application received"),
        S.NEEDS_DOCUMENTS: _("More documents needed"),
        S.APPROVED: _("Application approved"),
        S.REJECTED: _("Application rejected"),
        S.PAID: _("Payment made"),
    },
    email_template="withdrawals/email/{status}.txt",
    email_context=_email_context,
    permission_app="withdrawals",
    # Staff who may read any application: reviewers, approvers, auditors.
    read_perms=(
        "withdrawals.view_withdrawalapplication",
        "withdrawals.review_application",
        "withdrawals.approve_application",
    ),
    # Staff who may open any document: reviewers, approvers, auditors.
    document_perms=(
        "withdrawals.review_application",
        "withdrawals.approve_application",
        "withdrawals.view_supportingdocument",
    ),
    next_steps={
        S.DRAFT: _("Add the documents asked for and submit the application."),
        S.SUBMITTED: _("Your documents will be checked automatically, usually within minutes."),
        S.IN_REVIEW: _("Your documents are being checked automatically."),
        S.NEEDS_DOCUMENTS: _("Read the reviewer's message, add the documents and submit again."),
        S.AWAITING_DECISION: _("A member of staff will verify the documents and decide."),
        S.APPROVED: _("The money will be sent to your bank account with the next payment batch."),
        S.PAID: _("Nothing more: the money has been paid."),
        S.PAYOUT_FAILED: _("The bank could not pay; staff will correct the details and resend."),
        S.REJECTED: _("Nothing more. You may start a new application if things change."),
        S.WITHDRAWN: _("Nothing more. You may start a new application at any time."),
        S.CONTESTED: _("The claim is on hold while staff check it. They will write to you."),
    },
    applicant_url=lambda application: reverse("withdrawals:detail", args=[application.pk]),
)

# Derived from the table, never restated (for the code that reads them by name).
TRANSITIONS = WORKFLOW.pairs
EDITABLE_STATES = WORKFLOW.editable_states
WITHDRAWABLE_STATES = WORKFLOW.withdrawable_states
REVIEW_STATES = WORKFLOW.review_states
DECIDED_STATES = WORKFLOW.decided_states
FINAL_STATES = WORKFLOW.final_states
# Submitted and not withdrawn or rejected: the claim holds its accounts, no second
# claim on them.
CLAIMING_STATES = tuple(
    s
    for s in WORKFLOW.reachable(WORKFLOW.targets(workflow.SUBMIT))
    if s not in WORKFLOW.targets(workflow.REJECT, workflow.WITHDRAW)
)


class WithdrawalApplication(Case):
    """A claim on a cardholder's personal-account balance after a death or an emigration."""

    KIND = KIND
    Reason = Reason
    Relationship = Relationship
    Status = Status

    case_ptr = models.OneToOneField(
        Case, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="+"
    )

    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    relationship = models.CharField(
        _("relationship to the cardholder"), max_length=20, choices=Relationship.choices
    )
    claims_pension = models.BooleanField(_("claims the pension personal account"), default=False)
    claims_medical = models.BooleanField(_("claims the medical personal account"), default=False)

    # Payout bank details, a snapshot as the applicant entered them.
    bank_name = models.CharField(_("bank"), max_length=100)
    bank_account_holder = models.CharField(_("account holder"), max_length=100)
    bank_account_number = models.CharField(_("bank account number"), max_length=40)

    amount = models.DecimalField(_("amount paid out"), null=True, blank=True, **MONEY)
    payout_transaction = models.ForeignKey(
        LedgerTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="withdrawal_applications",
    )

    # MOHRSS Order No. 13 (2011) Art. 6: written notice and written confirmation
    # before a pension personal account is closed on emigration.
    notice_shown_at = models.DateTimeField(_("notice shown at"), null=True, blank=True)
    notice_confirmed_at = models.DateTimeField(_("notice confirmed at"), null=True, blank=True)
    notice_confirmed_name = models.CharField(
        _("name typed to confirm the notice"), max_length=100, blank=True
    )

    payout_sent_at = models.DateTimeField(_("sent to the bank at"), null=True, blank=True)

    # The reviewer checked the applicant's identity document against the identity
    # the applicant registered with.
    applicant_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("applicant identity verified by"),
    )
    applicant_verified_at = models.DateTimeField(
        _("applicant identity verified at"), null=True, blank=True
    )
    # The person a death claim names was told (once per claim), and may contest it.
    named_person_notified_at = models.DateTimeField(
        _("named person notified at"), null=True, blank=True
    )
    contested_at = models.DateTimeField(_("contested at"), null=True, blank=True)
    contested_from = models.CharField(
        _("status before the contest"), max_length=20, choices=Status.choices, blank=True
    )
    contest_note = models.TextField(_("note of the person contesting"), blank=True)
    # New payout details entered by staff after a failed payment, waiting for a second
    # staff member to confirm them: {"bank_name", "bank_account_holder",
    # "bank_account_number", "by", "at"}.
    pending_payee = models.JSONField(_("payout details to confirm"), null=True, blank=True)
    # Survivor benefits (SIL Art. 17), claimed with the same death certificate.
    claims_survivor_benefits = models.BooleanField(_("claims survivor benefits"), default=False)
    # The documents the heirs step said would prove who the heirs are (withdrawals.heirs
    # proof kinds): the documents page asks for them.
    heir_proofs = models.JSONField(_("proofs of heirship to attach"), default=list, blank=True)
    death_work_related = models.BooleanField(
        _("death from a work injury"),
        default=False,
        help_text=_("Recorded by staff: the work-injury fund then compensates instead."),
    )
    funeral_grant = models.DecimalField(_("funeral grant"), null=True, blank=True, **MONEY)
    survivors_pension = models.DecimalField(_("survivors' pension"), null=True, blank=True, **MONEY)
    survivor_benefits_code = models.CharField(
        _("why no survivor benefits"), max_length=40, blank=True
    )

    class Meta:
        verbose_name = _("withdrawal application")
        verbose_name_plural = _("withdrawal applications")
        db_table = "withdrawals_application"
        ordering = ["-case_ptr_id"]
        permissions = [
            ("review_application", _("Can review withdrawal applications")),
            ("verify_life_event", _("Can verify a death or an emigration")),
            ("approve_application", _("Can approve withdrawal applications")),
            ("manage_payouts", _("Can export payout batches and import bank results")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(claims_pension=True) | Q(claims_medical=True),
                name="withdrawal_claims_an_account",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="withdrawal_amount_positive",
            ),
        ]

    @property
    def schemes(self):
        """The schemes whose personal account is claimed, e.g. ["pension", "medical"]."""
        claimed = []
        if self.claims_pension:
            claimed.append(eligibility.PENSION)
        if self.claims_medical:
            claimed.append(eligibility.MEDICAL)
        return claimed

    @property
    def needs_notice(self):
        """Whether the pension notice (Order No. 13 Art. 6) must be confirmed."""
        return self.reason == Reason.EMIGRATION and self.claims_pension

    @property
    def required_documents(self):
        return eligibility.required_documents(self.reason, self.schemes)


class HeirRelationship(models.TextChoices):
    SPOUSE = heirs.SPOUSE, _("Spouse")
    CHILD = heirs.CHILD, _("Child")
    PARENT = heirs.PARENT, _("Parent")
    GRANDCHILD = heirs.GRANDCHILD, _("Grandchild in place of a child who died earlier")
    SIBLING = heirs.SIBLING, _("Brother or sister")
    GRANDPARENT = heirs.GRANDPARENT, _("Grandparent")
    TESTAMENTARY = heirs.TESTAMENTARY, _("Heir named in a will")


class Heir(models.Model):
    """One heir a death claim declares, with their share (CC 1127-1133).

    The applicant is one of them; the others join the claim online and give a payee
    account in their own name. The ID number is stored as the project stores ID
    numbers: encrypted, found by its keyed digest (accounts.pii)."""

    Relationship = HeirRelationship

    application = models.ForeignKey(
        WithdrawalApplication, on_delete=models.CASCADE, related_name="heirs"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    national_id = EncryptedCharField(_("national ID number"), max_length=18)
    national_id_digest = NationalIdDigestField()
    name = models.CharField(_("name"), max_length=100)
    relationship = models.CharField(
        _("relationship to the deceased"), max_length=20, choices=HeirRelationship.choices
    )
    share = models.CharField(_("share"), max_length=20, help_text=_("A fraction such as 1/2."))
    is_applicant = models.BooleanField(_("the applicant"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="heirships",
    )
    joined_at = models.DateTimeField(_("confirmed the shares at"), null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=40, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("identity verified by"),
    )
    identity_verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("heir")
        verbose_name_plural = _("heirs")
        ordering = ["application_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "national_id_digest"], name="heir_once_per_claim"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.masked_national_id}) {self.share}"

    @property
    def masked_national_id(self):
        return mask_national_id(self.national_id)

    @property
    def fraction(self):
        return heirs.parse_share(self.share)

    @property
    def joined(self):
        return self.joined_at is not None


class PayoutScheme(models.TextChoices):
    PENSION = eligibility.PENSION, _("Pension personal account")
    MEDICAL = eligibility.MEDICAL, _("Medical personal account")
    FUNERAL_GRANT = "funeral_grant", _("Funeral grant")
    SURVIVORS_PENSION = "survivors_pension", _("Survivors' pension")
    PENSION_ARREARS = "pension_arrears", _("Pension owed at death")
    WORK_DEATH_FUNERAL = "work_death_funeral", _("Work-death funeral subsidy")
    WORK_DEATH_SUBSIDY = "work_death_subsidy", _("One-time work-death subsidy")


class PayoutDestination(models.TextChoices):
    BANK = "bank", _("Bank account")
    OWN_MEDICAL_ACCOUNT = "own_medical_account", _("The heir's own medical personal account")


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the next payment batch")
    SENT = "sent", _("Sent to the bank")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Payment failed")


class HeirPayout(models.Model):
    """One heir's share of one scheme: to their bank through the payout batch, or
    (an insured heir's medical share) straight into their own medical account."""

    Scheme = PayoutScheme
    Destination = PayoutDestination
    Status = PayoutStatus

    heir = models.ForeignKey(Heir, on_delete=models.PROTECT, related_name="payouts")
    scheme = models.CharField(_("scheme"), max_length=20, choices=PayoutScheme.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    destination = models.CharField(_("paid to"), max_length=20, choices=PayoutDestination.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.PENDING
    )
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="heir_payouts"
    )
    sent_at = models.DateTimeField(_("sent to the bank at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # The bank details the payout was sent to, a snapshot.
    bank_account_holder = models.CharField(_("account holder"), max_length=100, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=40, blank=True)
    note = models.CharField(_("bank's note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("heir's payout")
        verbose_name_plural = _("heirs' payouts")
        ordering = ["heir_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["heir", "scheme"], name="heir_payout_once_per_scheme"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="heir_payout_positive"),
        ]

    def __str__(self):
        return f"{self.scheme} {self.amount} → {self.destination}"

    @property
    def reference(self):
        """The line's reference in the bank's files: the claim's, and the payout's id."""
        return f"{self.heir.application.reference}/{self.pk}"


class SurvivorBenefitParameters(models.Model):
    """A province's survivor-benefit figures from a date (SIL Art. 17;
    人社部发〔2021〕18号): data, each row with its source. Region 000000 is the
    national default for a region without its own."""

    region = models.CharField(_("region"), max_length=6, default="000000")
    effective_from = models.DateField(_("effective from"))
    monthly_disposable_income = models.DecimalField(
        _("last year's monthly per-capita urban disposable income"), **MONEY
    )
    funeral_grant_months = models.PositiveSmallIntegerField(_("funeral grant months"), default=2)
    base_months = models.PositiveSmallIntegerField(_("survivors' pension base months"))
    threshold_years = models.PositiveSmallIntegerField(_("contribution years in the base"))
    # The national rule adds a tenth of a month for each further year.
    months_per_further_year = models.DecimalField(
        _("months per further year"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    max_months = models.PositiveSmallIntegerField(_("at most months"))
    source = models.CharField(_("source"), max_length=255)

    class Meta:
        verbose_name = _("survivor benefit parameters")
        verbose_name_plural = _("survivor benefit parameters")
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="survivor_parameters_once_per_date"
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.effective_from}"


class HeirNoticePeriod(models.Model):
    """How long a region waits for heirs to come forward after a death before an estate
    without heirs goes to the fund (CC Art. 1160 with the local rule): data, per region
    and date, each with its source."""

    region = models.CharField(_("pooling region"), max_length=6)
    effective_from = models.DateField(_("effective from"))
    days = models.PositiveSmallIntegerField(_("notice period in days"))
    source = models.CharField(_("source"), max_length=255)
    illustrative = models.BooleanField(
        _("illustrative demo figure"),
        default=False,
        help_text=_("Not an official figure: seeded for the demo."),
    )

    class Meta:
        verbose_name = _("heir notice period")
        verbose_name_plural = _("heir notice periods")
        ordering = ["region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="heir_notice_once_per_date"
            ),
            models.CheckConstraint(condition=Q(days__gt=0), name="heir_notice_days_positive"),
        ]

    def __str__(self):
        return f"{self.region} {self.effective_from}: {self.days}"


class NoHeirRecord(models.Model):
    """No heir came forward for a deceased person within the region's notice period:
    recorded by one member of staff, confirmed by another, and then the personal
    balances go to the pooled fund by one ledger posting (CC Art. 1160)."""

    cardholder = models.OneToOneField(
        Cardholder,
        on_delete=models.PROTECT,
        related_name="no_heir_record",
        verbose_name=_("deceased"),
    )
    notice_days = models.PositiveSmallIntegerField(_("notice period in days"))
    notice_ended_on = models.DateField(_("notice period ended on"))
    notice_source = models.CharField(_("notice period source"), max_length=255)
    note = models.TextField(_("how the heirs were sought"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    amount = models.DecimalField(_("moved to the fund"), null=True, blank=True, **MONEY)
    transaction = models.ForeignKey(
        LedgerTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ledger transaction"),
    )

    class Meta:
        verbose_name = _("estate without heirs")
        verbose_name_plural = _("estates without heirs")
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("recorded_by")),
                name="no_heir_confirmed_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.cardholder.masked_national_id} {self.notice_ended_on}"

    @property
    def confirmed(self):
        return self.confirmed_at is not None


class ApplicationEvent(Event):
    """The withdrawal applications' timeline (casework.Event), under the admin's and
    the permissions' old names."""

    class Meta:
        proxy = True
        verbose_name = _("application event")
        verbose_name_plural = _("application events")


class EventNotification(Notification):
    class Meta:
        proxy = True
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")


class SupportingDocument(Document):
    """The withdrawal applications' documents (casework.Document)."""

    Kind = DocumentKind

    class Meta:
        proxy = True
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")


class CertificateKind(models.TextChoices):
    DEATH = "death", _("Death certificate")
    EXIT = "exit", _("Exit / settlement certificate")


class CertificateReuse(models.Model):
    """A certificate number recorded for one person and offered again for another.

    Refused by default; a second staff member may override it with a written reason.
    Shown on the claims of both people.
    """

    Kind = CertificateKind

    kind = models.CharField(_("certificate"), max_length=10, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=60)
    application = models.ForeignKey(
        WithdrawalApplication, on_delete=models.PROTECT, related_name="certificate_reuses"
    )
    cardholder = models.ForeignKey(Cardholder, on_delete=models.PROTECT, related_name="+")
    other_cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded for")
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_reason = models.TextField(_("reason for accepting it"), blank=True)
    overridden_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("re-used certificate")
        verbose_name_plural = _("re-used certificates")
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} {self.number}"


workflow.register(WORKFLOW, WithdrawalApplication)
