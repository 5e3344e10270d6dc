"""The staff side of the replacement card: the queue, the page and its buttons. Every
change goes through one service; issuing asks for the new number, checked there."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cards import eligibility, services
from cards.models import WORKFLOW, CardReplacement
from casework import workflow
from casework.staff import status_filter
from casework.staff_admin import CaseAdmin

ACTIONS = {
    "verify": (_("Record the identity as checked"), None, services.replacement_verify, None),
    "issue": (
        _("Issue the new card"),
        workflow.APPROVE,
        services.replacement_issue,
        "new_card_number",
    ),
    "reject": (_("Do not issue"), workflow.REJECT, services.replacement_reject, "reason"),
}
DONE = {
    "verify": _("The identity is recorded as checked."),
    "issue": _("The new card is issued; the old number is cancelled."),
    "reject": _("The card is not issued; the cardholder is told why."),
}


@admin.register(CardReplacement)
class CardReplacementAdmin(CaseAdmin):
    staff_actions = ACTIONS
    done = DONE
    posted_with = {"reject": ("code",)}
    list_display = (
        "reference",
        "cardholder_masked",
        "why",
        "status_shown",
        "submitted_at",
    )
    list_filter = (status_filter(WORKFLOW), "why")
    change_form_template = "admin/cards/cardreplacement/change_form.html"
    fieldsets = (
        (
            _("Request"),
            {
                "fields": (
                    "reference",
                    "status_shown",
                    "why",
                    ("old_card_number", "new_card_number"),
                    ("created_at", "submitted_at", "decided_at"),
                )
            },
        ),
        (_("Staff"), {"fields": (("verified_by", "reviewed_by", "approved_by"),)}),
        (_("Messages to the cardholder"), {"fields": ("refusal_code", "rejection_reason")}),
    )

    def page_context(self, request, case):
        return {
            "refusal_choices": [
                (code, eligibility.refusal(code).message) for code in eligibility.REFUSAL_CODES
            ],
        }
