"""The staff side of maternity claims: the queue, the claim page and its buttons, the
employers' average wages and the regional rules. Read-only claim pages; every change
goes through one service in the action view."""

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


def _offered(name, claim):
    transition = ACTIONS[name][1]
    if transition is None:
        return claim.status in WORKFLOW.open_states
    return claim.status in WORKFLOW.sources(transition)


@admin.register(MaternityClaim)
class MaternityClaimAdmin(admin.ModelAdmin):
    list_display = ("reference", "cardholder_masked", "event", "event_date", "status_shown")
    list_filter = (status_filter(WORKFLOW), "event")
    search_fields = ("reference", "cardholder__card_number")
    ordering = (F("submitted_at").asc(nulls_last=True), "id")
    list_select_related = ("cardholder",)
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
                name="maternity_maternityclaim_action",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        if claim is not None and self.has_view_permission(request, claim):
            extra_context = {**(extra_context or {}), **self._page(request, claim)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, claim):
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
            "claim": claim,
            "figures": selectors.estimate(claim),
            "applicant_shown": display_person(claim.applicant),
            "decision": decision,
            "safeguard_reasons": safeguards,
            "staff_actions": [
                {
                    "name": name,
                    "label": label,
                    "field": field,
                    "danger": name == "reject",
                    "url": reverse("admin:maternity_maternityclaim_action", args=[claim.pk, name]),
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
        claim = MaternityClaim.objects.filter(pk=pk).first()
        if claim is None or not request.user.has_perm("maternity.view_maternityclaim"):
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
        return redirect("admin:maternity_maternityclaim_change", claim.pk)


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
