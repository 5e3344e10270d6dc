"""The staff side of retirement claims: the queue, the claim page and its buttons.
Read-only; every change goes through one service in the action view."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin
from core.errors import DomainError
from core.http import client_ip
from pensions import eligibility, payout_services, selectors, services
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


CHANGE_PERM = "pensions.change_retirementclaim"


class BankAccountCorrectionForm(forms.Form):
    """Staff correcting the bank account a pension is paid to: the input only; the
    service checks the account and refuses, and its refusal is shown by its field."""

    bank_name = forms.CharField(label=_("bank"), max_length=100)
    bank_account_holder = forms.CharField(label=_("account holder"), max_length=100)
    bank_account_number = forms.CharField(label=_("bank account number"), max_length=40)
    reason = forms.CharField(
        label=_("Reason the pensioner will read"), max_length=500, widget=forms.Textarea
    )

    def __init__(self, *args, claim=None, actor=None, ip_address=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim, self.actor, self.ip_address = claim, actor, ip_address

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            payout_services.pension_bank_account_correct(
                self.claim,
                actor=self.actor,
                bank_name=cleaned["bank_name"],
                account_holder=cleaned["bank_account_holder"],
                account_number=cleaned["bank_account_number"],
                reason=cleaned["reason"],
                ip_address=self.ip_address,
            )
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            raise forms.ValidationError(
                {field: str(exc.message)} if field else str(exc.message)
            ) from exc
        return cleaned


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

    def get_urls(self):
        return [
            path(
                "<int:pk>/bank-account/",
                self.admin_site.admin_view(self.bank_account_view),
                name=self._name("bank_account"),
            ),
            *super().get_urls(),
        ]

    def bank_account_view(self, request, pk):
        """Correct the bank account a pension in payment is paid to."""
        if not request.user.has_perm(CHANGE_PERM):
            raise PermissionDenied
        claim = get_object_or_404(RetirementClaim.objects.select_related("cardholder"), pk=pk)
        initial = {
            "bank_name": claim.bank_name,
            "bank_account_holder": claim.bank_account_holder or claim.cardholder.name,
        }
        form = BankAccountCorrectionForm(
            request.POST if request.method == "POST" else None,
            initial=initial,
            claim=claim,
            actor=request.user,
            ip_address=client_ip(request),
        )
        if request.method == "POST" and form.is_valid():
            messages.success(
                request,
                _(
                    "The bank account is corrected; the pensioner is told. The next "
                    "payments go to it."
                ),
            )
            return redirect(f"admin:{self._name('change')}", claim.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Correct the bank account the pension is paid to"),
            "claim": claim,
            "current_account": payout_services.mask_account(claim.bank_account_number),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/pensions/retirementclaim/bank_account.html", context
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
        may_correct = request.user.has_perm(CHANGE_PERM) and (
            claim.status == WORKFLOW.states.APPROVED
        )
        return {
            "bank_account_url": (
                reverse(f"admin:{self._name('bank_account')}", args=[claim.pk])
                if may_correct
                else ""
            ),
            "bank_account_shown": payout_services.mask_account(claim.bank_account_number)
            if claim.bank_account_number
            else "",
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
