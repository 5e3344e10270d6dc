"""The staff side of unemployment benefit claims: the queue, the claim page and its
buttons. Read-only; every change goes through one service in the action view."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits import selectors, services
from benefits import unemployment_rules as rules
from benefits.models import (
    WORKFLOW,
    BenefitPayment,
    RegionalBenefitAmount,
    RegionalMedicalContribution,
    Status,
    UnemploymentClaim,
)
from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin

# name: (label, the table's action, or None for a note, or a status it is offered in;
# service; the typed field)
ACTIONS = {
    "verify": (_("Verify the claim"), None, services.claim_verify, None),
    "request_documents": (
        _("Request documents"),
        workflow.REQUEST_DOCUMENTS,
        services.claim_request_documents,
        "message",
    ),
    "approve": (
        _("Approve and fix the benefit"),
        workflow.APPROVE,
        services.claim_approve,
        None,
    ),
    "reject": (_("Reject"), workflow.REJECT, services.claim_reject, "reason"),
    "record_refusal": (
        _("Stop: suitable work or training refused"),
        "stop",
        services.benefit_record_refusal,
        "reason",
    ),
}
DONE = {
    "verify": _("The claim is recorded as verified."),
    "request_documents": _("The applicant was asked for documents."),
    "approve": _("Approved: the months and the monthly amount are fixed."),
    "reject": _("The claim was rejected."),
    "record_refusal": _("The benefit is stopped; the person is told why."),
}


class PaymentInline(admin.TabularInline):
    model = BenefitPayment
    fields = ("month", "amount", "medical_pooled", "medical_personal", "transaction", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UnemploymentClaim)
class UnemploymentClaimAdmin(CaseAdmin):
    staff_actions = ACTIONS
    done = DONE
    dangerous = ("reject", "record_refusal")
    list_display = (
        "reference",
        "cardholder_masked",
        "status_shown",
        "months_entitled",
        "monthly_amount",
        "submitted_at",
    )
    list_filter = (status_filter(WORKFLOW), "stop_reason")
    change_form_template = "admin/benefits/unemploymentclaim/change_form.html"
    inlines = [PaymentInline]
    fieldsets = (
        (
            _("Claim"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    "registration",
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (_("Staff"), {"fields": (("verified_by", "reviewed_by", "approved_by"),)}),
        (_("Messages to the applicant"), {"fields": ("request_message", "rejection_reason")}),
        (
            _("Benefit"),
            {
                "fields": (
                    ("months_entitled", "contribution_months", "carried_months"),
                    ("monthly_amount", "amount_region", "amount_year"),
                    "starts_on",
                    ("stop_reason", "stopped_on"),
                )
            },
        ),
        (
            _("Eligibility record"),
            {
                "classes": ("collapse",),
                "fields": ("rules_version", "decision_stage", "decision_codes", "decisions"),
            },
        ),
    )

    def page_context(self, request, claim):
        decision = selectors.eligibility(
            claim.cardholder, timezone.localdate(), stage=rules.APPROVAL, claim=claim
        )
        safeguards = rules.approval_safeguards(
            rules.ApprovalFacts(
                approver=request.user.pk,
                applicant=claim.applicant_id,
                cardholder_user=claim.cardholder.user_id,
                verifier=claim.verified_by_id,
                documents_requested_by=claim.reviewed_by_id,
            )
        )
        return {
            "decision": decision,
            "in_payment": claim.status == Status.IN_PAYMENT,
            "safeguard_reasons": safeguards if claim.status in WORKFLOW.open_states else (),
            "months_paid": selectors.months_paid(claim),
        }


@admin.register(RegionalBenefitAmount)
class RegionalBenefitAmountAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "monthly_amount", "minimum_living_standard", "minimum_wage")
    list_filter = ("year", "illustrative")


@admin.register(RegionalMedicalContribution)
class RegionalMedicalContributionAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "to_pooled", "to_personal", "source", "illustrative")
    list_filter = ("year", "illustrative")
