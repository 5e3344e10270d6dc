"""The staff side of record corrections: the queue, the page with the value on the
record and the value asked for, the warning when the statutory retirement date moves,
and the buttons. Every change goes through one service."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin
from corrections import eligibility, selectors, services
from corrections.models import WORKFLOW, RecordCorrection

ACTIONS = {
    "verify": (_("Verify the documents"), None, services.correction_verify, None),
    "request_documents": (
        _("Request documents"),
        workflow.REQUEST_DOCUMENTS,
        services.correction_request_documents,
        "message",
    ),
    "approve": (_("Correct the record"), workflow.APPROVE, services.correction_approve, None),
    "reject": (_("Do not correct"), workflow.REJECT, services.correction_reject, "reason"),
}
DONE = {
    "verify": _("The documents are recorded as checked."),
    "request_documents": _("The applicant was asked for documents."),
    "approve": _("The record is corrected; the old value is kept on its history."),
    "reject": _("The record is not corrected; the applicant is told why."),
}


@admin.register(RecordCorrection)
class RecordCorrectionAdmin(CaseAdmin):
    staff_actions = ACTIONS
    done = DONE
    posted_with = {"reject": ("code",)}
    list_display = (
        "reference",
        "cardholder_masked",
        "field",
        "status_shown",
        "moves_retirement_shown",
        "submitted_at",
    )
    list_filter = (status_filter(WORKFLOW), "field")
    change_form_template = "admin/corrections/recordcorrection/change_form.html"
    fieldsets = (
        (
            _("Request"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    "field",
                    ("old_value", "new_value"),
                    "reason",
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (
            _("Statutory retirement date"),
            {
                "fields": (
                    ("retirement_before", "retirement_after"),
                    ("retirement_before_cadre", "retirement_after_cadre"),
                )
            },
        ),
        (_("Staff"), {"fields": (("verified_by", "reviewed_by", "approved_by"),)}),
        (
            _("Messages to the applicant"),
            {"fields": ("request_message", "refusal_code", "rejection_reason")},
        ),
    )

    @admin.display(description=_("moves the retirement date"), boolean=True)
    def moves_retirement_shown(self, obj):
        return obj.moves_retirement

    def page_context(self, request, case):
        return {
            "decision": selectors.correction_decision(case, stage=eligibility.APPROVAL),
            "refusal_choices": [
                (code, eligibility.refusal(code).message) for code in eligibility.REFUSAL_CODES
            ],
        }
