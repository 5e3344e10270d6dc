"""What every kind of application shares: the case row, its timeline, the emails sent
for it and its supporting documents.

A kind (e.g. `withdrawals.WithdrawalApplication`) is a child of `Case` (multi-table
inheritance) holding only its own facts; its states and transitions table are a
`casework.workflow.Workflow` registered under `Case.kind`. Status changes go through
`casework.services.case_transition` only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import AppendOnlyModel, Cardholder
from casework import notes, workflow


class Case(models.Model):
    """One application by a person about a cardholder, in one kind's pipeline."""

    kind = models.CharField(_("kind"), max_length=30, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # The cardholder the case is about (the deceased, the emigrant, the claimant).
    cardholder = models.ForeignKey(Cardholder, on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    # The kind's states (casework.workflow); no choices here, every kind has its own.
    status = models.CharField(_("status"), max_length=20)

    # The decision record: the last rules decision, and every one made on this case.
    # Each reason's legal basis lives with the rules (the kind's pure rule module).
    rules_version = models.CharField(_("eligibility rules version"), max_length=20, blank=True)
    decision_stage = models.CharField(_("last checked at"), max_length=20, blank=True)
    decision_codes = models.JSONField(_("reason codes of the last check"), default=list, blank=True)
    decisions = models.JSONField(_("every eligibility check"), default=list, blank=True)

    # Staff's words to the applicant, as typed.
    request_message = models.TextField(_("documents requested"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # The two-person decision: whoever verified the facts or reviewed the case may not
    # approve it.
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

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the document review was last queued; the sweeper re-queues stale ones.
    review_queued_at = models.DateTimeField(_("review queued at"), null=True, blank=True)
    review_attempts = models.PositiveIntegerField(_("review attempts"), default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="case_status_submitted"),
            models.Index(fields=["status", "review_queued_at"], name="case_review_queue"),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        # A kind's model names its kind; a new case starts in the kind's first state.
        if not self.kind:
            self.kind = getattr(type(self), "KIND", "")
        if not self.status:
            self.status = workflow.get(self.kind).initial
        super().save(*args, **kwargs)

    @property
    def workflow(self):
        return workflow.get(self.kind)

    def get_status_display(self):
        return self.workflow.label(self.status)

    @property
    def is_editable(self):
        return self.status in self.workflow.editable_states

    @property
    def is_withdrawable(self):
        return self.status in self.workflow.withdrawable_states

    def allows(self, action):
        """Whether the transitions table allows `action` from the current status."""
        return self.workflow.allows(action, self.status)


class Event(AppendOnlyModel):
    """One line of a case's timeline: a status change or a note. Append-only (the
    model, its queryset and a PostgreSQL trigger all refuse changes)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    # The case's kind, copied: the timeline is rendered without reading the case.
    kind = models.CharField(_("kind"), max_length=30)
    # Null: the system (the review worker, the sweeper, the bank import).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    old_status = models.CharField(_("from"), max_length=20, blank=True)
    new_status = models.CharField(_("to"), max_length=20)
    # A code of casework.notes and its parameters; rendered when shown.
    note_code = models.CharField(_("note"), max_length=40, blank=True)
    note_params = models.JSONField(_("note parameters"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Fraud signals and staff reasoning: on the staff timeline only, never the applicant's.
    # The database default keeps writers that predate the column (older migrations'
    # SQL) working.
    staff_only = models.BooleanField(_("staff only"), default=False, db_default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "id"]

    def __str__(self):
        return f"{self.case_id}: {self.old_status} → {self.new_status}"

    @property
    def is_status_change(self):
        return self.old_status != self.new_status

    @property
    def note(self):
        """The note in the reader's language."""
        if not self.note_code:
            return ""
        return notes.render(self.note_code, self.note_params)

    @property
    def applicant_note(self):
        """The note as the applicant reads it: without the bank's own remark."""
        if not self.note_code:
            return ""
        return notes.render(self.note_code, self.note_params, for_applicant=True)

    def get_old_status_display(self):
        return workflow.get(self.kind).label(self.old_status) if self.old_status else ""

    def get_new_status_display(self):
        return workflow.get(self.kind).label(self.new_status)

    # The name the kinds' pages and older code use for the case.
    @property
    def application(self):
        return self.case

    @property
    def application_id(self):
        return self.case_id


class Notification(models.Model):
    """An email sent for an event; its unique key stops a retried task sending twice."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="notification")
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")

    def __str__(self):
        return f"{self.event_id} → {self.recipient or '-'}"


class Finding(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    PASSED = "passed", _("Passed the automated check")
    FAILED = "failed", _("Failed the automated check")


class Document(models.Model):
    """An uploaded file, stored outside the web root under a generated name."""

    Finding = Finding

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    # One of the case kind's document kinds (Workflow.document_kinds).
    kind = models.CharField(_("kind"), max_length=30)
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
    # The same bytes are attached to another cardholder's case: a fraud signal for
    # the human reviewer, not a failure by itself.
    duplicate_of_other_cardholder = models.BooleanField(
        _("same file used for another cardholder"), default=False
    )

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["case", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_kind_display(self):
        return workflow.document_label(self.kind)

    # The name the kinds' pages and older code use for the case.
    @property
    def application(self):
        return self.case

    @application.setter
    def application(self, value):
        self.case = value

    @property
    def application_id(self):
        return self.case_id
