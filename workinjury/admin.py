"""The staff side of work-injury recognition: the queue with the 60-day mark (WIR
Art. 20), the page and its buttons. Every change goes through one service."""

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
from workinjury import eligibility, selectors, services
from workinjury.models import WORKFLOW, InjuryRecognition

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


def _offered(name, claim):
    transition = ACTIONS[name][1]
    if transition is None:
        return claim.status in WORKFLOW.open_states
    return claim.status in WORKFLOW.sources(transition)


@admin.register(InjuryRecognition)
class InjuryRecognitionAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "cardholder_masked",
        "accident_date",
        "filer",
        "status_shown",
        "decide_by_shown",
    )
    list_filter = (status_filter(WORKFLOW), "filer")
    search_fields = ("reference", "cardholder__card_number")
    ordering = (F("submitted_at").asc(nulls_last=True), "id")
    list_select_related = ("cardholder",)
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

    @admin.display(description=_("decide by (60 days)"), ordering="submitted_at")
    def decide_by_shown(self, obj):
        due = obj.decide_by
        if due is None or obj.status not in WORKFLOW.queue_states:
            return "—"
        if due < timezone.localdate():
            return _("%(date)s — overdue") % {"date": due.isoformat()}
        return due.isoformat()

    def get_urls(self):
        return [
            path(
                "<int:pk>/action/<slug:name>/",
                self.admin_site.admin_view(self.action_view),
                name="workinjury_injuryrecognition_action",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, object_id)
        if claim is not None and self.has_view_permission(request, claim):
            extra_context = {**(extra_context or {}), **self._page(request, claim)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, claim):
        decision = selectors.recognition_decision(
            claim, stage=eligibility.SUBMISSION, today=timezone.localdate()
        )
        return {
            "claim": claim,
            "applicant_shown": display_person(claim.applicant),
            "decision": decision,
            "refusal_choices": [
                (code, eligibility.refusal(code).message) for code in eligibility.REFUSAL_CODES
            ],
            "staff_actions": [
                {
                    "name": name,
                    "label": label,
                    "field": field,
                    "danger": name == "reject",
                    "url": reverse(
                        "admin:workinjury_injuryrecognition_action", args=[claim.pk, name]
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
        claim = InjuryRecognition.objects.filter(pk=pk).first()
        if claim is None or not request.user.has_perm("workinjury.view_injuryrecognition"):
            raise PermissionDenied
        _label, _action, service, field = ACTIONS[name]
        kwargs = {"actor": request.user, "ip_address": client_ip(request)}
        if field:
            kwargs[field] = request.POST.get(field, "")
        if name == "reject":
            kwargs["code"] = request.POST.get("code", "")
        try:
            service(claim, **kwargs)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, str(DONE[name]))
        return redirect("admin:workinjury_injuryrecognition_change", claim.pk)
