"""The staff side of work-injury recognition: the queue with the 60-day mark (WIR
Art. 20), the page and its buttons. Every change goes through one service."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin
from core.errors import DomainError
from workinjury import appraisal_rules, death_services, eligibility, selectors, services
from workinjury.forms import REFUSAL_CODE, DependantFormSet, WorkDeathDecisionForm, WorkDeathForm
from workinjury.models import (
    APPRAISAL_WORKFLOW,
    CONCLUDE,
    WORKFLOW,
    InjuryAllowancePayment,
    InjuryNursingPayment,
    InjuryRecognition,
    InjurySubsidyPayment,
    LabourCapacityAppraisal,
    NationalDisposableIncome,
    NursingAllowanceRate,
    SelfCare,
    WorkDeathBenefit,
    WorkDeathDependant,
    WorkDeathPensionPayment,
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
        (
            _("Nursing allowance (WIR Art. 34)"),
            {
                "fields": (
                    ("nursing_percent", "nursing_regional_average", "nursing_regional_year"),
                    ("nursing_allowance", "nursing_source"),
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


@admin.register(InjuryNursingPayment)
class InjuryNursingPaymentAdmin(InjuryAllowancePaymentAdmin):
    """A month of the nursing allowance: written by the monthly run only."""


@admin.register(InjurySubsidyPayment)
class InjurySubsidyPaymentAdmin(InjuryAllowancePaymentAdmin):
    """A one-time subsidy's bank line: written by the conclusion, sent and answered by
    the shared bank batch and results files only."""

    list_display = ("reference", "recognition", "amount", "status", "sendings", "result_note")
    list_filter = ("status",)
    list_select_related = ("recognition",)
    search_fields = ("reference",)
    ordering = ("-created_at", "-id")


# --- death at work (WIR Art. 39) ------------------------------------------------------


class WorkDeathDependantInline(admin.TabularInline):
    model = WorkDeathDependant
    fields = ("name", "relation", "lone", "until", "share", "monthly_amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkDeathBenefit)
class WorkDeathBenefitAdmin(admin.ModelAdmin):
    """Recorded by a reviewer (the add page), decided by someone else (the change
    page's decision form). Every change goes through `workinjury.death_services`."""

    list_display = (
        "recognition",
        "died_on",
        "status",
        "funeral_subsidy",
        "one_time_subsidy",
        "pensions_total",
        "heirs_shown",
    )
    list_filter = ("status",)
    list_select_related = ("recognition", "heirs_claim")
    search_fields = ("recognition__reference",)
    inlines = [WorkDeathDependantInline]
    change_form_template = "admin/workinjury/workdeathbenefit/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["heirs_shown"]

    @admin.display(description=_("subsidies to the heirs"))
    def heirs_shown(self, obj):
        if obj.heirs_claim_id:
            return _("paid to the heirs with claim %(claim)s") % {
                "claim": obj.heirs_claim.reference
            }
        if obj.status == WorkDeathBenefit.Status.APPROVED:
            return _("waiting for the heirs' claim")
        return "—"

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("workinjury.review_injuryrecognition")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="workinjury_workdeathbenefit_decide",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WorkDeathForm(request.POST or None)
        family = DependantFormSet(request.POST or None, prefix="dependants")
        if request.method == "POST" and form.is_valid() and family.is_valid():
            claim = InjuryRecognition.objects.filter(
                reference=form.cleaned_data["reference"].strip().upper()
            ).first()
            if claim is None:
                form.add_error("reference", _("No work-injury recognition has this reference."))
            else:
                rows = [row for row in family.cleaned_data if row.get("name")]
                try:
                    benefit = death_services.work_death_record(
                        claim,
                        actor=request.user,
                        died_on=form.cleaned_data["died_on"],
                        dependants=rows,
                    )
                except DomainError as exc:
                    form.add_error("died_on" if exc.field == "died_on" else None, str(exc.message))
                else:
                    messages.success(
                        request, _("The death is recorded; someone else decides the benefits.")
                    )
                    return redirect("admin:workinjury_workdeathbenefit_change", benefit.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Record a death at work"),
            "form": form,
            "family": family,
        }
        return TemplateResponse(request, "admin/workinjury/workdeathbenefit/record.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        benefit = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        deciding = request.user.has_perm("workinjury.decide_injuryrecognition")
        if benefit is not None and benefit.status == WorkDeathBenefit.Status.RECORDED and deciding:
            extra_context["decision_form"] = WorkDeathDecisionForm()
            extra_context["decide_url"] = reverse(
                "admin:workinjury_workdeathbenefit_decide", args=[benefit.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pk):
        benefit = WorkDeathBenefit.objects.filter(pk=pk).first()
        if benefit is None or not request.user.has_perm("workinjury.view_workdeathbenefit"):
            raise PermissionDenied
        form = WorkDeathDecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("admin:workinjury_workdeathbenefit_change", benefit.pk)
        try:
            if form.cleaned_data["decision"] == WorkDeathDecisionForm.APPROVE:
                death_services.work_death_approve(benefit, actor=request.user)
                messages.success(
                    request, _("Approved: the subsidies are paid and the pensions set.")
                )
            else:
                death_services.work_death_refuse(
                    benefit,
                    actor=request.user,
                    code=REFUSAL_CODE,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Refused; whoever filed is told why."))
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("admin:workinjury_workdeathbenefit_change", benefit.pk)


@admin.register(WorkDeathPensionPayment)
class WorkDeathPensionPaymentAdmin(admin.ModelAdmin):
    list_display = ("dependant", "month", "amount", "transaction")
    list_select_related = ("dependant", "transaction")
    ordering = ("-month", "-id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NationalDisposableIncome)
class NationalDisposableIncomeAdmin(admin.ModelAdmin):
    """Data: the yearly national figure with its source (the demo's are labelled)."""

    list_display = ("year", "amount", "source")
    ordering = ("-year",)


@admin.register(NursingAllowanceRate)
class NursingAllowanceRateAdmin(admin.ModelAdmin):
    """Data: a region's nursing allowance percentage per self-care level, from a date,
    with its source (the demo's are labelled). A new figure is a new row from its date."""

    list_display = ("region", "self_care", "percent", "valid_from", "source")
    list_filter = ("self_care", "region")
    ordering = ("region", "self_care", "-valid_from")
