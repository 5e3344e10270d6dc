"""The staff side of retirement claims: the queue, the claim page and its buttons.
Read-only; every change goes through one service in the action view."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from casework import workflow
from casework.staff import display_person, status_filter
from core.errors import DomainError
from core.http import client_ip
from pensions import eligibility, selectors, services
from pensions.models import (
    WORKFLOW,
    PensionIncrease,
    PensionOverpayment,
    PensionPayment,
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


def _offered(name, claim):
    transition = ACTIONS[name][1]
    if transition is None:
        return claim.status in WORKFLOW.open_states
    return claim.status in WORKFLOW.sources(transition)


@admin.register(RetirementClaim)
class RetirementClaimAdmin(admin.ModelAdmin):
    list_display = ("reference", "cardholder_masked", "category", "retirement_date", "status_shown")
    list_filter = (status_filter(WORKFLOW), "category")
    search_fields = ("reference", "cardholder__card_number")
    ordering = (F("submitted_at").asc(nulls_last=True), "id")
    list_select_related = ("cardholder",)
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["status_shown"]

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("cardholder"))
    def cardholder_masked(self, obj):
        return obj.cardholder.masked_national_id

    def get_urls(self):
        return [
            path(
                "<int:pk>/action/<slug:name>/",
                self.admin_site.admin_view(self.action_view),
                name="pensions_retirementclaim_action",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        if claim is not None and self.has_view_permission(request, claim):
            extra_context = {**(extra_context or {}), **self._page(request, claim)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, claim):
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
            "claim": claim,
            "applicant_shown": display_person(claim.applicant),
            "months_on_record": selectors.pension_contribution_month_count(claim.cardholder),
            "decision": decision,
            "safeguard_reasons": safeguards,
            "staff_actions": [
                {
                    "name": name,
                    "label": label,
                    "field": field,
                    "danger": name == "reject",
                    "url": reverse("admin:pensions_retirementclaim_action", args=[claim.pk, name]),
                }
                for name, (label, _action, _service, field) in ACTIONS.items()
                if _offered(name, claim)
            ],
        }

    @staticmethod
    @require_POST
    def action_view(request, pk, name):
        if name not in ACTIONS:
            raise PermissionDenied
        claim = RetirementClaim.objects.filter(pk=pk).first()
        if claim is None or not request.user.has_perm("pensions.view_retirementclaim"):
            raise PermissionDenied
        _label, _action, service, field = ACTIONS[name]
        kwargs = {"actor": request.user, "ip_address": client_ip(request)}
        if field:
            kwargs[field] = request.POST.get(field, "")
        try:
            service(claim, **kwargs)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, str(DONE[name]))
        return redirect("admin:pensions_retirementclaim_change", claim.pk)


@admin.register(PensionIncrease)
class PensionIncreaseAdmin(admin.ModelAdmin):
    """The yearly increases are data staff enter with their source."""

    list_display = ("region", "from_month", "percent", "amount", "source")
    list_filter = ("region",)


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
