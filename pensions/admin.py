"""The staff side of retirement claims: the queue, the claim page and its buttons.
Read-only; every change goes through one service in the action view."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin
from pensions import eligibility, selectors, services
from pensions.models import (
    WORKFLOW,
    PensionArrears,
    PensionIncrease,
    PensionOverpayment,
    PensionPayment,
    RetireeMedicalCredit,
    RetireeMedicalRate,
    RetirementClaim,
    SuspendedMonth,
)

# name: (label, the table's action or None for a note, service, the typed field)
ACTIONS = {
    "verify": (_("Verify the claim"), None, services.retirement_claim_verify, None),
    "request_documents": (
        _("Request documents"),
        workflow.REQUEST_DOCUMENTS,
        services.retirement_claim_request_documents,
        "message",
    ),
    "approve": (
        _("Approve and fix the pension"),
        workflow.APPROVE,
        services.retirement_claim_approve,
        None,
    ),
    "reject": (_("Reject"), workflow.REJECT, services.retirement_claim_reject, "reason"),
}
DONE = {
    "verify": _("The claim is recorded as verified."),
    "request_documents": _("The applicant was asked for documents."),
    "approve": _("Approved: the pension is fixed and the cardholder is recorded as retired."),
    "reject": _("The claim was rejected."),
}


@admin.register(RetirementClaim)
class RetirementClaimAdmin(CaseAdmin):
    staff_actions = ACTIONS
    done = DONE
    list_display = ("reference", "cardholder_masked", "category", "retirement_date", "status_shown")
    list_filter = (status_filter(WORKFLOW), "category")
    change_form_template = "admin/pensions/retirementclaim/change_form.html"
    fieldsets = (
        (
            _("Claim"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    "category",
                    "retirement_date",
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (_("Staff"), {"fields": (("verified_by", "reviewed_by", "approved_by"),)}),
        (_("Messages to the applicant"), {"fields": ("request_message", "rejection_reason")}),
        (
            _("Award"),
            {
                "fields": (
                    "starts_on",
                    ("basic_monthly", "personal_monthly"),
                    ("average_wage", "average_wage_year", "average_wage_source"),
                    ("contribution_index", "indexed_wage", "contribution_months"),
                    ("balance_at_retirement", "divisor"),
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
        decision = selectors.retirement_claim_decision(
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
            "months_on_record": selectors.pension_contribution_month_count(claim.cardholder),
            "decision": decision,
            "safeguard_reasons": safeguards,
        }


@admin.register(PensionIncrease)
class PensionIncreaseAdmin(admin.ModelAdmin):
    """The yearly increases are data staff enter with their source."""

    list_display = ("region", "from_month", "percent", "amount", "source", "recorded_at")
    list_filter = ("region",)
    readonly_fields = ("recorded_at",)


@admin.register(RetireeMedicalRate)
class RetireeMedicalRateAdmin(admin.ModelAdmin):
    """The pool's monthly credit to retirees' medical accounts: data staff enter with
    its source, per region and period."""

    list_display = ("region", "from_month", "amount", "percent", "source", "illustrative")
    list_filter = ("region", "illustrative")


class _RecordAdmin(admin.ModelAdmin):
    """Written by the pension run and the death stop only: staff read them."""

    list_select_related = ("claim",)
    search_fields = ("claim__reference",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PensionPayment)
class PensionPaymentAdmin(_RecordAdmin):
    list_display = (
        "claim",
        "month",
        "basic",
        "personal_from_account",
        "personal_from_fund",
        "total",
        "destination",
        "back_pay",
        "transaction",
    )
    list_filter = ("month", "destination", "back_pay")


@admin.register(PensionArrears)
class PensionArrearsAdmin(_RecordAdmin):
    """Arrears of increases entered after months were paid at the old amount."""

    list_display = (
        "claim",
        "increase",
        "first_month",
        "last_month",
        "months",
        "amount",
        "paid_in",
        "transaction",
    )
    list_filter = ("paid_in",)


@admin.register(RetireeMedicalCredit)
class RetireeMedicalCreditAdmin(_RecordAdmin):
    list_display = ("claim", "month", "amount", "rate", "transaction")
    list_filter = ("month",)


@admin.register(SuspendedMonth)
class SuspendedMonthAdmin(_RecordAdmin):
    list_display = ("claim", "month", "check_due", "created_at")
    list_filter = ("month",)


@admin.register(PensionOverpayment)
class PensionOverpaymentAdmin(_RecordAdmin):
    """Months paid after a pensioner's death: what was recovered from the personal
    balance and what staff still have to recover."""

    list_display = ("claim", "month", "overpaid", "recovered", "owed", "transaction")
    list_filter = ("month",)


# The living check’s staff pages.
from pensions import living_check_admin  # noqa: E402, F401
