"""The staff side of work-injury recognition: the queue with the 60-day mark (WIR
Art. 20), the page and its buttons. Every change goes through one service."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin
from workinjury import appraisal_rules, eligibility, selectors, services
from workinjury.models import (
    APPRAISAL_WORKFLOW,
    CONCLUDE,
    WORKFLOW,
    InjuryAllowancePayment,
    InjuryRecognition,
    LabourCapacityAppraisal,
    SelfCare,
)

ACTIONS = {
    "verify": (_("Verify the claim"), None, services.recognition_verify, None),
    "request_documents": (
        _("Request documents"),
        workflow.REQUEST_DOCUMENTS,
        services.recognition_request_documents,
        "message",
    ),
    "recognise": (
        _("Recognise the work injury"),
        workflow.APPROVE,
        services.recognition_recognise,
        None,
    ),
    "reject": (_("Do not recognise"), workflow.REJECT, services.recognition_reject, "reason"),
}
DONE = {
    "verify": _("The claim is recorded as verified."),
    "request_documents": _("The applicant was asked for documents."),
    "recognise": _("The injury is recognised as work-related."),
    "reject": _("The injury is not recognised; the applicant is told why."),
}


@admin.register(InjuryRecognition)
class InjuryRecognitionAdmin(CaseAdmin):
    staff_actions = ACTIONS
    done = DONE
    posted_with = {"reject": ("code",)}
    list_display = (
        "reference",
        "cardholder_masked",
        "accident_date",
        "filer",
        "status_shown",
        "decide_by_shown",
    )
    list_filter = (status_filter(WORKFLOW), "filer")
    change_form_template = "admin/workinjury/injuryrecognition/change_form.html"
    fieldsets = (
        (
            _("Claim"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    ("accident_date", "filer", "relationship"),
                    "description",
                    "employer",
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (_("Staff"), {"fields": (("verified_by", "reviewed_by", "approved_by"),)}),
        (
            _("Messages to the applicant"),
            {"fields": ("request_message", "refusal_code", "rejection_reason")},
        ),
        (
            _("Appraisal"),
            {"fields": (("grade", "own_wage"), ("one_time_subsidy", "monthly_allowance"))},
        ),
    )

    @admin.display(description=_("decide by (60 days)"), ordering="submitted_at")
    def decide_by_shown(self, obj):
        due = obj.decide_by
        if due is None or obj.status not in WORKFLOW.queue_states:
            return "—"
        if due < timezone.localdate():
            return _("%(date)s — overdue") % {"date": due.isoformat()}
        return due.isoformat()

    def page_context(self, request, claim):
        decision = selectors.recognition_decision(
            claim, stage=eligibility.SUBMISSION, today=timezone.localdate()
        )
        return {
            "decision": decision,
            "refusal_choices": [
                (code, eligibility.refusal(code).message) for code in eligibility.REFUSAL_CODES
            ],
        }


# --- the labour-capacity appraisal ----------------------------------------------------

APPRAISAL_ACTIONS = {
    "conclude": (
        _("Record the committee's conclusion"),
        CONCLUDE,
        services.appraisal_conclude,
        None,
    ),
}
APPRAISAL_DONE = {
    "conclude": _("The conclusion is recorded; the benefits are fixed and the subsidy is paid."),
}


@admin.register(LabourCapacityAppraisal)
class LabourCapacityAppraisalAdmin(CaseAdmin):
    """The committee's queue (60 days to conclude, WIR Art. 25) and the conclusion:
    the grade 1-10 and the self-care level, posted to one service."""

    staff_actions = APPRAISAL_ACTIONS
    done = APPRAISAL_DONE
    posted_with = {"conclude": ("grade", "self_care")}
    dangerous = ()
    list_display = (
        "reference",
        "cardholder_masked",
        "round",
        "status_shown",
        "grade",
        "conclude_by_shown",
    )
    list_filter = (status_filter(APPRAISAL_WORKFLOW), "round")
    change_form_template = "admin/workinjury/labourcapacityappraisal/change_form.html"
    fieldsets = (
        (
            _("Application"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    ("recognition", "round", "previous"),
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (_("Conclusion"), {"fields": (("grade", "self_care", "concluded_on"), "approved_by")}),
        (
            _("Benefits"),
            {
                "fields": (
                    ("wage_months", "wage_average", "bound_applied"),
                    ("regional_average", "regional_year", "regional_source"),
                    ("own_wage", "one_time_subsidy", "monthly_allowance"),
                    ("subsidy_paid", "subsidy_transaction"),
                )
            },
        ),
    )

    @admin.display(description=_("conclude by (60 days)"), ordering="submitted_at")
    def conclude_by_shown(self, obj):
        due = obj.conclude_by
        if due is None or obj.status not in APPRAISAL_WORKFLOW.queue_states:
            return "—"
        if due < timezone.localdate():
            return _("%(date)s — overdue") % {"date": due.isoformat()}
        return due.isoformat()

    def page_context(self, request, case):
        return {
            "grades": appraisal_rules.GRADES,
            "self_care_choices": SelfCare.choices,
            "working": selectors.working(case),
        }


@admin.register(InjuryAllowancePayment)
class InjuryAllowancePaymentAdmin(admin.ModelAdmin):
    list_display = ("recognition", "month", "amount", "transaction")
    list_select_related = ("recognition", "transaction")
    ordering = ("-month", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
