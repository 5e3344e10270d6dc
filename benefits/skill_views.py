"""The cardholder's pages of the skill-upgrade subsidy (in the "Unemployment" section)
and of vocational training ("Training"): what is needed before starting, the claims
and applications with their status and timeline. Thin over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import cardholder_for_user
from benefits import skill_selectors as selectors
from benefits import skill_services, training_services
from benefits import skill_subsidy_rules as rules
from benefits.exceptions import ClaimRefused
from benefits.forms import SkillClaimForm, SkillUploadForm
from benefits.models import SKILL_WORKFLOW, CertificateLevel
from casework import selectors as case_selectors
from casework import services as casework
from casework import workflow
from core.errors import DomainError
from core.rights import how_to_contest


def _cardholder(request):
    cardholder = cardholder_for_user(request.user)
    if cardholder is None:
        raise Http404
    return cardholder


def _case_row(case):
    timeline = case_selectors.timeline(case)
    return {
        "case": case,
        "events": [e for e in timeline.events if not e.staff_only],
        "next_step": timeline.next_step,
        "documents": case_selectors.documents_of(case),
    }


@login_required
def skill_subsidy(
    request, *, form=None, upload_form=None, upload_for=None, refusal=None, status=200
):
    cardholder = _cardholder(request)
    today = timezone.localdate()
    rows = []
    for claim in selectors.skill_claims_of(cardholder, applicant=request.user):
        row = _case_row(claim)
        row["can_submit"] = claim.allows(workflow.SUBMIT)
        row["upload_form"] = (
            upload_form if upload_for == claim.pk and upload_form else SkillUploadForm()
        )
        if row["can_submit"]:
            row["missing"] = selectors.skill_eligibility(
                cardholder, claim, today=today, stage=rules.SUBMISSION
            ).reasons
        rows.append(row)
    amounts = selectors.skill_amounts(cardholder.region)
    context = {
        "cardholder": cardholder,
        "claims": rows,
        "form": form or SkillClaimForm(),
        "refusal": refusal or (),
        "how_to_contest": how_to_contest(),
        "contribution_months": selectors.contribution_months(cardholder, today),
        "amounts": [(label, amounts.get(value)) for value, label in CertificateLevel.choices],
        "workflow": SKILL_WORKFLOW,
    }
    return render(request, "benefits/skill_subsidy.html", context, status=status)


def _again(request, **kwargs):
    request.method = "GET"
    return skill_subsidy(request, **kwargs)


@login_required
@require_POST
def skill_claim_start(request):
    cardholder = _cardholder(request)
    form = SkillClaimForm(request.POST)
    if form.is_valid():
        try:
            skill_services.skill_claim_start(
                applicant=request.user, cardholder=cardholder, **form.cleaned_data
            )
        except ClaimRefused as exc:
            return _again(request, form=form, refusal=exc.reasons, status=422)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("Your claim is started. Upload the certificate's scan and submit it.")
            )
            return redirect("benefits:skill_subsidy")
    return _again(request, form=form, status=400)


def _own_claim(request, pk):
    claim = selectors.skill_claim_for(request.user, pk)
    if claim is None:
        raise Http404
    return claim


@login_required
@require_POST
def skill_claim_upload(request, pk):
    claim = _own_claim(request, pk)
    form = SkillUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            casework.document_add(
                case=claim,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                uploader=request.user,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The document is added."))
            return redirect("benefits:skill_subsidy")
    return _again(request, upload_form=form, upload_for=claim.pk, status=400)


@login_required
@require_POST
def skill_claim_submit(request, pk):
    claim = _own_claim(request, pk)
    try:
        skill_services.skill_claim_submit(claim, actor=request.user)
    except ClaimRefused as exc:
        for reason in exc.reasons:
            messages.error(request, reason.message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is submitted."))
    return redirect("benefits:skill_subsidy")


@login_required
@require_POST
def skill_claim_withdraw(request, pk):
    claim = _own_claim(request, pk)
    try:
        skill_services.skill_claim_withdraw(claim, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your claim is withdrawn."))
    return redirect("benefits:skill_subsidy")


# --- vocational training -----------------------------------------------------------------


@login_required
def training(request, *, refusal=None, refused_course=None, status=200):
    cardholder = _cardholder(request)
    today = timezone.localdate()
    courses = [
        {"course": c, "places_left": c.places - c.taken} for c in selectors.open_courses(today)
    ]
    applications = [
        _case_row(a) for a in selectors.applications_of(cardholder, applicant=request.user)
    ]
    context = {
        "cardholder": cardholder,
        "registered": selectors.registered_unemployed(cardholder),
        "courses": courses,
        "applications": applications,
        "refusal": refusal or (),
        "refused_course": refused_course,
        "how_to_contest": how_to_contest(),
    }
    return render(request, "benefits/training.html", context, status=status)


@login_required
@require_POST
def training_apply(request):
    cardholder = _cardholder(request)
    try:
        training_services.training_apply(
            applicant=request.user, cardholder=cardholder, course=request.POST.get("course")
        )
    except ClaimRefused as exc:
        request.method = "GET"
        return training(
            request, refusal=exc.reasons, refused_course=request.POST.get("course"), status=422
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You applied for the course."))
    return redirect("training:training")


@login_required
@require_POST
def training_withdraw(request, pk):
    application = selectors.application_get_for(request.user, pk)
    if application is None:
        raise Http404
    try:
        training_services.training_withdraw(application, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("training:training")
