"""Withdrawal applications, their timeline and their supporting documents.

Status changes go through `withdrawals.services` only; the allowed changes are the
data in `TRANSITIONS` (DESIGN.md's state table).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import MONEY, AppendOnlyModel, Cardholder, LedgerTransaction
from withdrawals import eligibility


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
# Every allowed (from, to) change of status; anything else is refused.
TRANSITIONS = frozenset(
    {
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.AWAITING_DECISION),
        (S.IN_REVIEW, S.NEEDS_DOCUMENTS),
        (S.AWAITING_DECISION, S.NEEDS_DOCUMENTS),
        (S.NEEDS_DOCUMENTS, S.SUBMITTED),
        (S.AWAITING_DECISION, S.APPROVED),
        (S.APPROVED, S.PAID),
        (S.APPROVED, S.PAYOUT_FAILED),
        (S.PAYOUT_FAILED, S.APPROVED),
        (S.IN_REVIEW, S.REJECTED),
        (S.AWAITING_DECISION, S.REJECTED),
        (S.DRAFT, S.WITHDRAWN),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.IN_REVIEW, S.WITHDRAWN),
        (S.NEEDS_DOCUMENTS, S.WITHDRAWN),
        (S.AWAITING_DECISION, S.WITHDRAWN),
        # A contest holds the claim; only staff release it (back where it was) or reject it.
        *((state, S.CONTESTED) for state in (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_DOCUMENTS)),
        (S.AWAITING_DECISION, S.CONTESTED),
        *((S.CONTESTED, state) for state in (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_DOCUMENTS)),
        (S.CONTESTED, S.AWAITING_DECISION),
        (S.CONTESTED, S.REJECTED),
        (S.CONTESTED, S.WITHDRAWN),
    }
)
# The applicant may still change documents in these states.
EDITABLE_STATES = (S.DRAFT, S.NEEDS_DOCUMENTS)
# The applicant may withdraw before a decision.
WITHDRAWABLE_STATES = (
    S.DRAFT,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.NEEDS_DOCUMENTS,
    S.AWAITING_DECISION,
    S.CONTESTED,
)
# An application in these states holds its claimed accounts: no second claim on them.
CLAIMING_STATES = (
    S.SUBMITTED,
    S.IN_REVIEW,
    S.NEEDS_DOCUMENTS,
    S.AWAITING_DECISION,
    S.APPROVED,
    S.PAYOUT_FAILED,
    S.PAID,
    S.CONTESTED,
)
# Waiting for the automated document review (the sweeper watches these).
REVIEW_STATES = (S.SUBMITTED, S.IN_REVIEW)
DECIDED_STATES = (S.APPROVED, S.PAID, S.PAYOUT_FAILED, S.REJECTED, S.WITHDRAWN)
FINAL_STATES = (S.PAID, S.REJECTED, S.WITHDRAWN)


class WithdrawalApplication(models.Model):
    """A claim on a cardholder's personal-account balance after a death or an emigration."""

    Reason = Reason
    Relationship = Relationship
    Status = Status

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    cardholder = models.ForeignKey(
        Cardholder, on_delete=models.PROTECT, related_name="withdrawal_applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawal_applications"
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

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    amount = models.DecimalField(_("amount paid out"), null=True, blank=True, **MONEY)
    payout_transaction = models.ForeignKey(
        LedgerTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="withdrawal_applications",
    )

    # The last eligibility decision, and every decision made on this application.
    rules_version = models.CharField(_("eligibility rules version"), max_length=20, blank=True)
    decision_stage = models.CharField(_("last checked at"), max_length=20, blank=True)
    decision_codes = models.JSONField(_("reason codes of the last check"), default=list, blank=True)
    decisions = models.JSONField(_("every eligibility check"), default=list, blank=True)

    # MOHRSS Order No. 13 (2011) Art. 6: written notice and written confirmation
    # before a pension personal account is closed on emigration.
    notice_shown_at = models.DateTimeField(_("notice shown at"), null=True, blank=True)
    notice_confirmed_at = models.DateTimeField(_("notice confirmed at"), null=True, blank=True)
    notice_confirmed_name = models.CharField(
        _("name typed to confirm the notice"), max_length=100, blank=True
    )

    request_message = models.TextField(_("documents requested"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("death / emigration verified by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last reviewed by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
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

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the document review was last queued; the sweeper re-queues stale ones.
    review_queued_at = models.DateTimeField(_("review queued at"), null=True, blank=True)
    review_attempts = models.PositiveIntegerField(_("review attempts"), default=0)

    class Meta:
        verbose_name = _("withdrawal application")
        verbose_name_plural = _("withdrawal applications")
        ordering = ["-id"]
        permissions = [
            ("review_application", _("Can review withdrawal applications")),
            ("verify_life_event", _("Can verify a death or an emigration")),
            ("approve_application", _("Can approve withdrawal applications")),
            ("manage_payouts", _("Can export payout batches and import bank results")),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="application_status_submitted"),
            models.Index(fields=["status", "review_queued_at"], name="application_review_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(claims_pension=True) | Q(claims_medical=True),
                name="application_claims_an_account",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="application_amount_positive",
            ),
        ]

    def __str__(self):
        return self.reference

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
    def is_editable(self):
        return self.status in EDITABLE_STATES

    @property
    def is_withdrawable(self):
        return self.status in WITHDRAWABLE_STATES

    @property
    def needs_notice(self):
        """Whether the pension notice (Order No. 13 Art. 6) must be confirmed."""
        return self.reason == Reason.EMIGRATION and self.claims_pension

    @property
    def required_documents(self):
        return eligibility.required_documents(self.reason, self.schemes)


class ApplicationEvent(AppendOnlyModel):
    """One line of an application's timeline: a status change or a note. Append-only."""

    application = models.ForeignKey(
        WithdrawalApplication, on_delete=models.PROTECT, related_name="events"
    )
    # Null: the system (the review worker, the sweeper, the bank import).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    old_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Fraud signals and staff reasoning: on the staff timeline only, never the applicant's.
    staff_only = models.BooleanField(_("staff only"), default=False)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["application", "id"]

    def __str__(self):
        return f"{self.application_id}: {self.old_status} → {self.new_status}"

    @property
    def is_status_change(self):
        return self.old_status != self.new_status


class EventNotification(models.Model):
    """An email sent for an event; its unique key stops a retried task sending twice."""

    event = models.OneToOneField(
        ApplicationEvent, on_delete=models.PROTECT, related_name="notification"
    )
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")

    def __str__(self):
        return f"{self.event_id} → {self.recipient or '-'}"


class DocumentKind(models.TextChoices):
    DEATH_CERTIFICATE = eligibility.DEATH_CERTIFICATE, _("Death certificate")
    HEIRSHIP_PROOF = eligibility.HEIRSHIP_PROOF, _("Proof of heirship or kinship")
    APPLICANT_ID = eligibility.APPLICANT_ID, _("Applicant's identity document")
    EXIT_CERTIFICATE = eligibility.EXIT_CERTIFICATE, _("Exit / overseas settlement certificate")
    NATIONALITY_PROOF = eligibility.NATIONALITY_PROOF, _("Proof of giving up PRC nationality")
    OTHER = "other", _("Other")


class Finding(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    PASSED = "passed", _("Passed the automated check")
    FAILED = "failed", _("Failed the automated check")


class SupportingDocument(models.Model):
    """An uploaded file, stored outside the web root under a generated name."""

    Kind = DocumentKind
    Finding = Finding

    application = models.ForeignKey(
        WithdrawalApplication, on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    # Relative to settings.DOCUMENT_ROOT; never derived from the uploaded name.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("type (from the content)"), max_length=50, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finding = models.CharField(
        _("automated check"), max_length=10, choices=Finding.choices, default=Finding.PENDING
    )
    finding_codes = models.JSONField(_("problem codes"), default=list, blank=True)
    finding_detail = models.TextField(_("problems found"), blank=True)
    reviewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # The same bytes are attached to another cardholder's application: a fraud
    # signal for the human reviewer, not a failure by itself.
    duplicate_of_other_cardholder = models.BooleanField(
        _("same file used for another cardholder"), default=False
    )

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["application", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"


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
