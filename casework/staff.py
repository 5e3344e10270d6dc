"""What the service centre's pages share across kinds: how a person is shown, the
SLA mark, and the permission-checked document preview."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin

from casework import selectors, storage, workflow
from casework.selectors import is_overdue, overdue_q, review_deadline  # noqa: F401
from sscard.security import needs_second_factor

PREVIEWABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def display_person(user):
    """A user for staff eyes: the name, and the login masked (it may be an ID number)."""
    if user is None:
        return _("system")
    name = user.get_full_name().strip()
    shown = user.masked_login
    return f"{name} ({shown})" if name else shown


def may_open_documents(user, flows=None):
    """Staff holding a document permission of any kind (or of the given kinds)."""
    flows = workflow.all_workflows() if flows is None else flows
    return any(selectors.is_staff_with(user, flow.document_perms) for flow in flows)


@never_cache
@xframe_options_sameorigin
def document_preview(request, pk):
    """Stream a stored document to review staff, inline, with no rights to run anything.

    Anyone not staff (an applicant, a cardholder, a stranger) gets 404, so the
    address reveals nothing; staff without a review, approval or audit permission
    get 403. The type sent is the one detected from the bytes at upload.
    """
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise Http404
    if needs_second_factor(user):
        # Not wrapped in admin_view: ask for the admin login (with its TOTP code) here.
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not may_open_documents(user):
        raise PermissionDenied
    document = selectors.document_get(pk)
    if document is None:
        raise Http404
    if not may_open_documents(user, [workflow.get(document.case.kind)]):
        raise PermissionDenied
    content_type = (
        document.content_type
        if document.content_type in PREVIEWABLE_TYPES
        else "application/octet-stream"
    )
    try:
        handle = storage.open_document(document.stored_name)
    except (OSError, storage.UnsafePath):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    disposition = "inline" if content_type in PREVIEWABLE_TYPES else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="document-{document.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Images open in a sandbox. Chromium refuses to show a PDF in a sandboxed document,
    # so a PDF gets no script or connection rights instead; its type was proven from
    # its bytes and nosniff stops the browser from guessing another.
    response["Content-Security-Policy"] = (
        "default-src 'none'; frame-ancestors 'self'"
        if content_type == "application/pdf"
        else "sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def document_download(request, pk):
    """The applicant's own document (or any, for the kind's staff), as a download;
    None when the user may not have it (the caller answers 404)."""
    try:
        document = selectors.document_get_for_user(request.user, pk)
    except selectors.NotFound:
        return None
    if document.case.applicant_id != request.user.pk and needs_second_factor(request.user):
        # Another person's document is open to review staff only after their second factor.
        return None
    try:
        handle = storage.open_document(document.stored_name)
    except (OSError, storage.UnsafePath):
        return None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or "document",
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def choices_filter(choices, field, title):
    """An admin list filter over fixed choices, under the address Django's own field
    filter uses (``field__exact=…``), so bookmarked lists keep working."""
    from django.contrib import admin

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = f"{field}__exact"

        def lookups(self, request, model_admin):
            return choices

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field: self.value()})
            return queryset

    ChoicesFilter.title = title
    return ChoicesFilter


def status_filter(flow, field="status", title=None):
    """A list filter over a kind's states."""
    from django.utils.translation import gettext_lazy

    return choices_filter(flow.states.choices, field, title or gettext_lazy("status"))
