"""The staff side of maternity claims: the queue, the claim page and its buttons, the
employers' average wages and the regional rules. Read-only claim pages; every change
goes through one service in the action view."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin
from maternity import eligibility, selectors, services
from maternity.models import (
    PAYOUT_CONFIRMED,
    WORKFLOW,
    EmployerAverageWage,
    MaternityClaim,
    RegionalMaternityRule,
)

# name: (label, the table's action or None for a note, service, the typed field)
ACTIONS = {
    "verify": (_("Verify the claim"), None, services.maternity_claim_verify, None),
    "request_documents": (
        _("Request documents"),
        workflow.REQUEST_DOCUMENTS,
        services.maternity_claim_request_documents,
        "message",
    ),
    "approve": (
        _("Approve and pay the allowance"),
        workflow.APPROVE,
        services.maternity_claim_approve,
        None,
    ),
    "reject": (_("Reject"), workflow.REJECT, services.maternity_claim_reject, "reason"),
    "mark_paid": (
        _("Record the bank's confirmation"),
        PAYOUT_CONFIRMED,
        services.maternity_claim_mark_paid,
        None,
    ),
}
DONE = {
    "verify": _("The claim is recorded as verified."),
    "request_documents": _("The applicant was asked for documents."),
    "approve": _("Approved: the allowance is fixed and on its way to the bank."),
    "reject": _("The claim was rejected."),
    "mark_paid": _("The payment is recorded as confirmed by the bank."),
}


@admin.register(MaternityClaim)
class MaternityClaimAdmin(CaseAdmin):
    staff_actions = ACTIONS
    done = DONE
    list_display = ("reference", "cardholder_masked", "event", "event_date", "status_shown")
    list_filter = (status_filter(WORKFLOW), "event")
    change_form_template = "admin/maternity/maternityclaim/change_form.html"
    fieldsets = (
        (
            _("Claim"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    ("event", "event_date"),
                    ("babies", "difficult_birth", "pregnancy_months"),
                    "employer",
                    "bank_name",
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (_("Staff"), {"fields": (("verified_by", "reviewed_by", "approved_by"),)}),
        (_("Messages to the applicant"), {"fields": ("request_message", "rejection_reason")}),
        (
            _("Allowance"),
            {
                "fields": (
                    ("average_wage", "average_wage_year", "average_wage_source"),
                    ("statutory_days", "regional_extra_days", "days"),
                    ("amount", "payout_transaction"),
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
        decision = selectors.claim_decision(
            claim, stage=eligibility.APPROVAL, today=timezone.localdate()
        )
        safeguards = eligibility.approval_safeguards(
            eligibility.ApprovalFacts(
                approver=request.user.pk,
                applicant=claim.applicant_id,
                cardholder_user=claim.cardholder.user_id,
                verifier=claim.verified_by_id,
                documents_requested_by=claim.reviewed_by_id,
            )
        )
        return {
            "figures": selectors.estimate(claim),
            "decision": decision,
            "safeguard_reasons": safeguards,
        }


@admin.register(EmployerAverageWage)
class EmployerAverageWageAdmin(admin.ModelAdmin):
    list_display = ("employer", "year", "amount", "source")
    list_filter = ("year",)
    search_fields = ("employer__name", "employer__credit_code")
    autocomplete_fields = ("employer",)
    ordering = ("employer__name", "-year")


@admin.register(RegionalMaternityRule)
class RegionalMaternityRuleAdmin(admin.ModelAdmin):
    list_display = (
        "region",
        "effective_from",
        "extra_days",
        "claim_limit_days",
        "illustrative",
        "source",
    )
    list_filter = ("region", "illustrative")
