"""The staff page every case kind shares in the admin: a read-only record of the case
with the kind's buttons, each a POST to one of the kind's services.

A kind's admin subclasses `CaseAdmin` and names

- `staff_actions`: name -> (label, the table's action, or None for a note such as
  "verify", the service, the field typed with it or None);
- `done`: name -> the message shown once the service has run;
- `posted_with`: name -> more fields the button posts (e.g. the rule a refusal rests on);
- `dangerous`: the buttons drawn as destructive;

and adds its own figures with `page_context(request, case)`.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from casework.staff import display_person
from core.errors import DomainError
from core.http import client_ip


class CaseAdmin(admin.ModelAdmin):
    staff_actions = {}
    done = {}
    posted_with = {}
    dangerous = ("reject",)

    search_fields = ("reference", "cardholder__card_number")
    # The oldest submission first: the queue is worked in order.
    ordering = (F("submitted_at").asc(nulls_last=True), "id")
    list_select_related = ("cardholder",)

    # Nobody adds, edits or deletes a case here: every change is a service.
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

    # --- the page and its buttons -----------------------------------------------------

    def _name(self, view):
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_{view}"

    def get_urls(self):
        return [
            path(
                "<int:pk>/action/<slug:name>/",
                self.admin_site.admin_view(require_POST(self.action_view)),
                name=self._name("action"),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        if case is not None and self.has_view_permission(request, case):
            page = {
                "claim": case,
                "applicant_shown": display_person(case.applicant),
                "staff_actions": self.staff_buttons(case),
                **self.page_context(request, case),
            }
            extra_context = {**(extra_context or {}), **page}
        return super().change_view(request, object_id, form_url, extra_context)

    def page_context(self, request, case):
        """The kind's own figures and decisions on its page."""
        return {}

    def offered(self, name, case):
        """Whether the button applies to the case as it stands (the table says)."""
        transition = self.staff_actions[name][1]
        flow = case.workflow
        if transition is None:
            return case.status in flow.open_states
        return case.status in flow.sources(transition)

    def staff_buttons(self, case):
        return [
            {
                "name": name,
                "label": label,
                "field": field,
                "danger": name in self.dangerous,
                "url": reverse(f"admin:{self._name('action')}", args=[case.pk, name]),
            }
            for name, (label, _action, _service, field) in self.staff_actions.items()
            if self.offered(name, case)
        ]

    def action_view(self, request, pk, name):
        """Run one button's service; its refusal is the message shown."""
        if name not in self.staff_actions:
            raise PermissionDenied
        opts = self.model._meta
        case = self.model.objects.filter(pk=pk).first()
        if case is None or not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            raise PermissionDenied
        _label, _action, service, field = self.staff_actions[name]
        kwargs = {"actor": request.user, "ip_address": client_ip(request)}
        for posted in ((field,) if field else ()) + tuple(self.posted_with.get(name, ())):
            kwargs[posted] = request.POST.get(posted, "")
        try:
            service(case, **kwargs)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, str(self.done[name]))
        return redirect(f"admin:{self._name('change')}", case.pk)
