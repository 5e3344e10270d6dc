"""The cardholder's "Work injury" page: the recognition and its status, the
labour-capacity appraisal with its grade, the benefits with their working, and the
payments; the appraisal is applied for here. Thin over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import cardholder_for_user
from core.errors import DomainError
from workinjury import selectors, services


def _claim(request):
    cardholder = cardholder_for_user(request.user)
    if cardholder is None:
        raise Http404
    return selectors.recognition_for_user(request.user, cardholder)


@login_required
def work_injury(request):
    claim = _claim(request)
    body = selectors.recognition_body(claim) if claim is not None else None
    return render(request, "workinjury/work_injury.html", {"claim": claim, "body": body})


@login_required
@require_POST
def appraisal_apply(request):
    claim = _claim(request)
    if claim is None:
        raise Http404
    try:
        services.appraisal_apply(
            claim,
            actor=request.user,
            round=request.POST.get("round", "initial"),
            condition_stable=request.POST.get("condition_stable") == "on",
            today=timezone.localdate(),
        )
    except DomainError as exc:
        messages.error(request, f"{exc.message} [{exc.code}]")
    else:
        messages.success(request, _("Your appraisal application is recorded."))
    return redirect("workinjury:work_injury")
