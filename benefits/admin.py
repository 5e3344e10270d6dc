"""The staff side of unemployment benefit claims: the queue, the claim page and its
buttons. Read-only; every change goes through one service in the action view."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

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
from casework.staff import display_person, status_filter
from core.errors import DomainError
from core.http import client_ip

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


def _offered(name, claim):
    transition = ACTIONS[name][1]
    if transition is None:
        return claim.status in WORKFLOW.open_states
    return claim.status in WORKFLOW.sources(transition)


class PaymentInline(admin.TabularInline):
    model = BenefitPayment
    fields = ("month", "amount", "medical_pooled", "medical_personal", "transaction", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UnemploymentClaim)
class UnemploymentClaimAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "cardholder_masked",
        "status_shown",
        "months_entitled",
        "monthly_amount",
        "submitted_at",
    )
    list_filter = (status_filter(WORKFLOW), "stop_reason")
    search_fields = ("reference", "cardholder__card_number")
    ordering = (F("submitted_at").asc(nulls_last=True), "id")
    list_select_related = ("cardholder",)
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
                name="benefits_unemploymentclaim_action",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        if claim is not None and self.has_view_permission(request, claim):
            extra_context = {**(extra_context or {}), **self._page(request, claim)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, claim):
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
            "claim": claim,
            "applicant_shown": display_person(claim.applicant),
            "decision": decision,
            "in_payment": claim.status == Status.IN_PAYMENT,
            "safeguard_reasons": safeguards if claim.status in WORKFLOW.open_states else (),
            "months_paid": selectors.months_paid(claim),
            "staff_actions": [
                {
                    "name": name,
                    "label": label,
                    "field": field,
                    "danger": name in ("reject", "record_refusal"),
                    "url": reverse(
                        "admin:benefits_unemploymentclaim_action", args=[claim.pk, name]
                    ),
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
        claim = UnemploymentClaim.objects.filter(pk=pk).first()
        if claim is None or not request.user.has_perm("benefits.view_unemploymentclaim"):
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
        return redirect("admin:benefits_unemploymentclaim_change", claim.pk)


@admin.register(RegionalBenefitAmount)
class RegionalBenefitAmountAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "monthly_amount", "minimum_living_standard", "minimum_wage")
    list_filter = ("year", "illustrative")


@admin.register(RegionalMedicalContribution)
class RegionalMedicalContributionAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "to_pooled", "to_personal", "source", "illustrative")
    list_filter = ("year", "illustrative")
