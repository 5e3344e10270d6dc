"""The staff side of the living check: a relative's confirmation recorded by one staff
member and confirmed by a second (an admin action); confirmations and notices are
read-only. Every change goes through one service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from pensions import living_check_services
from pensions.models import (
    WORKFLOW,
    LivingCheckConfirmation,
    LivingCheckNotice,
    RelativeLivingCheck,
    RetirementClaim,
)


class RelativeLivingCheckForm(forms.ModelForm):
    claim = forms.ModelChoiceField(
        queryset=RetirementClaim.objects.filter(status=WORKFLOW.states.APPROVED).order_by(
            "reference"
        ),
        label=_("Pension in payment (claim reference)"),
        to_field_name="reference",
        widget=forms.TextInput,
        error_messages={"invalid_choice": _("No pension in payment has this reference.")},
    )

    class Meta:
        model = RelativeLivingCheck
        fields = ("claim", "relative_name", "relationship", "proof", "seen_on")

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.recorded = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            # The service validates and writes; the admin only saves what it returned.
            self.recorded = living_check_services.living_check_relative_record(
                claim=cleaned["claim"],
                actor=self.actor,
                relative_name=cleaned["relative_name"],
                relationship=cleaned["relationship"],
                proof=cleaned["proof"],
                seen_on=cleaned["seen_on"],
            )
        except DomainError as exc:
            field = exc.field if exc.field in self.fields else None
            raise ValidationError({field: str(exc.message)} if field else str(exc.message)) from exc
        return cleaned


@admin.register(RelativeLivingCheck)
class RelativeLivingCheckAdmin(admin.ModelAdmin):
    form = RelativeLivingCheckForm
    list_display = ("claim", "relative_name", "relationship", "seen_on", "status", "recorded_by")
    list_filter = ("status",)
    search_fields = ("claim__reference", "relative_name")
    actions = ["confirm_selected"]
    readonly_fields = ("status", "recorded_by", "confirmed_by", "confirmation", "created_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change, **kwargs)

        class WithActor(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=request.user, **kw)

        return WithActor

    def has_add_permission(self, request):
        return request.user.has_perm("pensions.record_livingcheck")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("pensions.view_relativelivingcheck") or any(
            request.user.has_perm(f"pensions.{p}")
            for p in ("record_livingcheck", "confirm_livingcheck")
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Written by the service in the form's clean(); hand the admin the saved row.
        obj.__dict__.update(
            {k: v for k, v in form.recorded.__dict__.items() if not k.startswith("_state")}
        )
        obj._state.adding = False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("pensions.confirm_livingcheck"):
            actions.pop("confirm_selected", None)
        return actions

    @admin.action(description=_("Confirm the selected living checks (second staff member)"))
    def confirm_selected(self, request, queryset):
        done = 0
        for record in queryset.order_by("pk"):
            try:
                living_check_services.living_check_relative_confirm(record, actor=request.user)
            except DomainError as exc:
                messages.error(request, f"{record}: {exc.message}")
            else:
                done += 1
        if done:
            messages.success(
                request,
                _("%(n)d living check(s) confirmed; the next due dates have moved on.")
                % {"n": done},
            )


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LivingCheckConfirmation)
class LivingCheckConfirmationAdmin(ReadOnly):
    list_display = (
        "claim",
        "confirmed_on",
        "how",
        "who",
        "next_due",
        "recorded_by",
        "confirmed_by",
    )
    list_filter = ("how",)
    search_fields = ("claim__reference",)
    date_hierarchy = "confirmed_on"


@admin.register(LivingCheckNotice)
class LivingCheckNoticeAdmin(ReadOnly):
    list_display = ("claim", "kind", "due", "sent_at", "sms_sent")
    list_filter = ("kind",)
    search_fields = ("claim__reference",)
