"""The staff side of unemployment benefit claims: the queue, the claim page and its
buttons. Read-only; every change goes through one service in the action view."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from benefits import selectors, services, skill_selectors, skill_services, training_services
from benefits import skill_subsidy_rules as skill_rules
from benefits import unemployment_rules as rules
from benefits.models import (
    COMPLETE,
    ENROL,
    SKILL_WORKFLOW,
    TRAINING_WORKFLOW,
    WORKFLOW,
    BenefitPayment,
    Qualification,
    RegionalBenefitAmount,
    RegionalMedicalContribution,
    SkillSubsidyAmount,
    SkillSubsidyClaim,
    Status,
    SubsidyPayment,
    TrainingApplication,
    TrainingCourse,
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
    "record_sentence": (
        _("Stop: serving a sentence"),
        "stop",
        services.benefit_record_sentence,
        "reason",
    ),
}
DONE = {
    "verify": _("The claim is recorded as verified."),
    "request_documents": _("The applicant was asked for documents."),
    "approve": _("Approved: the months and the monthly amount are fixed."),
    "reject": _("The claim was rejected."),
    "record_refusal": _("The benefit is stopped; the person is told why."),
    "record_sentence": _("The benefit is stopped; the person is told why."),
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
    dangerous = ("reject", "record_refusal", "record_sentence")
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


# --- the skill-upgrade subsidy -----------------------------------------------------------

SKILL_ACTIONS = {
    "verify": (_("Verify the claim"), None, skill_services.skill_claim_verify, None),
    "request_documents": (
        _("Request documents"),
        workflow.REQUEST_DOCUMENTS,
        skill_services.skill_claim_request_documents,
        "message",
    ),
    "approve": (
        _("Approve and pay the subsidy"),
        workflow.APPROVE,
        skill_services.skill_claim_approve,
        None,
    ),
    "reject": (_("Reject"), workflow.REJECT, skill_services.skill_claim_reject, "reason"),
}
SKILL_DONE = {
    "verify": _("The claim is recorded as verified."),
    "request_documents": _("The applicant was asked for documents."),
    "approve": _("Approved: the subsidy is paid and the certificate is on the record."),
    "reject": _("The claim was rejected."),
}


class SubsidyPaymentInline(admin.StackedInline):
    fields = ("reference", "amount", "region", "payee", "bank_name", "status", "transaction")
    readonly_fields = fields
    model = SubsidyPayment
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SkillPaymentInline(SubsidyPaymentInline):
    fk_name = "skill_claim"


class TrainingPaymentInline(SubsidyPaymentInline):
    fk_name = "training_application"


@admin.register(SkillSubsidyClaim)
class SkillSubsidyClaimAdmin(CaseAdmin):
    staff_actions = SKILL_ACTIONS
    done = SKILL_DONE
    list_display = (
        "reference",
        "cardholder_masked",
        "status_shown",
        "level",
        "certificate_number",
        "issued_on",
        "amount",
        "submitted_at",
    )
    list_filter = (status_filter(SKILL_WORKFLOW), "level")
    search_fields = ("reference", "certificate_number", "cardholder__card_number")
    inlines = [SkillPaymentInline]
    fieldsets = (
        (
            _("Claim"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    ("level", "certificate_number", "issued_on"),
                    ("applied_on", "created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (_("Staff"), {"fields": (("verified_by", "reviewed_by", "approved_by"),)}),
        (_("Messages to the applicant"), {"fields": ("request_message", "rejection_reason")}),
        (_("Subsidy"), {"fields": (("amount", "amount_region", "contribution_months"),)}),
        (
            _("Eligibility record"),
            {
                "classes": ("collapse",),
                "fields": ("rules_version", "decision_stage", "decision_codes", "decisions"),
            },
        ),
    )

    def page_context(self, request, claim):
        decided = claim.status in SKILL_WORKFLOW.decided_states
        decision = None
        if not decided:
            decision = skill_selectors.skill_eligibility(
                claim.cardholder, claim, today=timezone.localdate(), stage=skill_rules.APPROVAL
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
            "safeguard_reasons": safeguards if claim.status in SKILL_WORKFLOW.open_states else (),
        }


@admin.register(SkillSubsidyAmount)
class SkillSubsidyAmountAdmin(admin.ModelAdmin):
    list_display = ("region", "level", "amount", "source", "illustrative")
    list_filter = ("level", "illustrative")


# --- vocational training -----------------------------------------------------------------

TRAINING_ACTIONS = {
    "enrol": (
        _("Confirm the enrolment"),
        ENROL,
        training_services.training_confirm_enrolment,
        None,
    ),
    "complete": (
        _("Confirm the completion and pay the provider"),
        COMPLETE,
        training_services.training_confirm_completion,
        None,
    ),
    "reject": (_("Refuse the place"), workflow.REJECT, training_services.training_refuse, "reason"),
}
TRAINING_DONE = {
    "enrol": _("The enrolment is confirmed."),
    "complete": _("Completed: the provider is paid and the qualification is on the record."),
    "reject": _("The place was refused; the person is told why."),
}


@admin.register(TrainingApplication)
class TrainingApplicationAdmin(CaseAdmin):
    staff_actions = TRAINING_ACTIONS
    done = TRAINING_DONE
    list_display = (
        "reference",
        "cardholder_masked",
        "status_shown",
        "course",
        "enrolled_on",
        "completed_on",
    )
    list_filter = (status_filter(TRAINING_WORKFLOW), "course")
    list_select_related = ("cardholder", "course")
    inlines = [TrainingPaymentInline]
    fieldsets = (
        (
            _("Application"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    "course",
                    ("created_at", "enrolled_on", "completed_on"),
                )
            },
        ),
        (_("Staff"), {"fields": (("reviewed_by", "approved_by"),)}),
        (_("Messages to the applicant"), {"fields": ("rejection_reason",)}),
    )


@admin.register(TrainingCourse)
class TrainingCourseAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "provider_name",
        "region",
        "starts_on",
        "ends_on",
        "places",
        "subsidy_amount",
        "listed",
    )
    list_filter = ("listed", "region", "illustrative")
    search_fields = ("title", "provider_name")


@admin.register(SubsidyPayment)
class SubsidyPaymentAdmin(admin.ModelAdmin):
    list_display = ("reference", "kind", "amount", "region", "payee", "status", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("reference", "certificate_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ("cardholder", "source", "display_title", "level", "issued_on")
    list_filter = ("source", "level")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
