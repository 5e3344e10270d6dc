"""Cardholder pages: log in, register, dashboard, history, contributions, statement.

Views are thin: they parse input with a form, read through `accounts.selectors`, change
state only through `accounts.services`, and turn domain errors into messages or 4xx.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import extensions, ratelimit, read_models, reauth, selectors, services
from accounts.exceptions import DomainError, InvalidYear, NotFound
from accounts.forms import (
    HISTORY_KINDS,
    CardholderRegistrationForm,
    ConfirmForm,
    ContributionFilterForm,
    EnrolmentCodeForm,
    HistoryFilterForm,
    LoginForm,
    PasswordConfirmForm,
    RegistrationForm,
    TotpCodeForm,
)
from accounts.models import Account, Cardholder, Scheme
from core import formatting
from sscard.security import lockout_response

PAGE_SIZE = 20
CHART_MONTHS = 24


def _cardholder(request):
    """The logged-in user's cardholder record; heirs and staff have none."""
    return selectors.cardholder_for_user(request.user)


def cardholder_required(view):
    """Pages about one's own accounts: people without a card go to the overview,
    which explains what they can do instead."""

    @login_required
    def wrapper(request, *args, **kwargs):
        cardholder = _cardholder(request)
        if cardholder is None:
            return redirect("accounts:dashboard")
        return view(request, cardholder, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# --- log in, register, reset ------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["email"].help_text = gettext_lazy(
            "The address you gave when you registered. If it is ours, a link arrives in a few "
            "minutes."
        )
        return form


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


def register_start(request):
    """Choose who is registering: the cardholder themselves or an heir."""
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return render(request, "registration/register_start.html")


def _register(request, form_class, template, card):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        used_up = ratelimit.registration_hit(request, request.POST.get("national_id"))
        if used_up is not None:
            form.is_valid()
            form.add_error(
                None,
                _("Too many registration attempts. Wait %(minutes)d minutes and try again.")
                % {"minutes": used_up.minutes},
            )
            response = render(request, template, {"form": form}, status=429)
            response["Retry-After"] = str(used_up.seconds)
            return response
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not card:
            return _register_heir(request, form, template, data)
        try:
            user = services.user_register(
                national_id=data["national_id"],
                password=data["password1"],
                name=data["name"],
                email=data["email"],
                card_number=data.get("card_number", ""),
            )
        except ValidationError as exc:
            if services.registration_refusal(exc):
                # Registered already, or no such card: one answer for both.
                form.add_error(None, services.REGISTRATION_MISMATCH)
            else:
                _validation_errors_to_form(form, exc)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. You are now logged in."))
            return redirect("accounts:dashboard")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {"form": form}, status=status)


def _register_heir(request, form, template, data):
    """Whatever the ID number (new, registered, an insured person's), the same answer:
    go and log in; the e-mail says what happened. Only errors in what was typed show."""
    try:
        services.heir_register(
            national_id=data["national_id"],
            password=data["password1"],
            name=data["name"],
            email=data["email"],
        )
    except ValidationError as exc:
        _validation_errors_to_form(form, exc)
        return render(request, template, {"form": form}, status=400)
    messages.info(
        request,
        _(
            "Thank you. If this ID number could be registered, your account is ready: log in "
            "with it and the password you chose. We have sent an e-mail to the address you "
            "gave saying what happened."
        ),
    )
    return redirect("accounts:login")


def _validation_errors_to_form(form, exc):
    """Put a service's ValidationError on the fields the person typed into."""
    renamed = {"password": "password1"}
    errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    for field, field_errors in errors.items():
        field = renamed.get(field, field)
        target = field if field in form.fields else None
        for error in field_errors:
            form.add_error(target, error)


@require_http_methods(["GET", "POST"])
def register_cardholder(request):
    return _register(
        request, CardholderRegistrationForm, "registration/register_cardholder.html", True
    )


@require_http_methods(["GET", "POST"])
def register_heir(request):
    return _register(request, RegistrationForm, "registration/register_heir.html", False)


# --- overview -----------------------------------------------------------------


SCHEME_EXPLANATIONS = {
    Scheme.PENSION: gettext_lazy(
        "Your pension personal account holds your own contributions; it pays part of your "
        "pension when you retire."
    ),
    Scheme.MEDICAL: gettext_lazy(
        "Your medical personal account pays for purchases at hospitals and pharmacies."
    ),
    Scheme.UNEMPLOYMENT: gettext_lazy(
        "Unemployment insurance pays benefits if you lose your job; it has no personal account."
    ),
    Scheme.WORK_INJURY: gettext_lazy(
        "Work injury insurance is paid by your employer only; it has no personal account."
    ),
    Scheme.MATERNITY: gettext_lazy(
        "Maternity insurance is paid by your employer only; it has no personal account."
    ),
}


DASHBOARD_TEMPLATES = ("accounts/dashboard.html", "base.html")


@login_required
def dashboard(request):
    """The overview: card panel, balances per scheme, chart. Heirs get their own page.

    Served from the cache while the balances and the card are unchanged
    (accounts.read_models): the chart and the sums read the whole history."""
    state = read_models.overview_state(request.user)
    if state is None:
        return render(request, "accounts/dashboard_no_card.html")
    # A notice an app above accounts gives (e.g. a claim naming this person): a
    # banner, on a page never kept in the cache.
    banner = extensions.dashboard_banner(request)
    panels = extensions.dashboard_panels(request, state)
    if banner or panels:
        return _dashboard_page(request, banner=banner, panels=panels)
    return read_models.cached_page(
        request,
        name="overview",
        state=state,
        templates=DASHBOARD_TEMPLATES,
        build=lambda csrf_token: _dashboard_page(request, csrf_token),
    )


def _dashboard_page(request, csrf_token=None, banner=None, panels=()):
    cardholder = _cardholder(request)
    if cardholder is None:  # unlinked a moment ago
        return render(request, "accounts/dashboard_no_card.html")
    balances = selectors.balances_for_cardholder(cardholder)
    rows = [{"balance": b, "explanation": SCHEME_EXPLANATIONS.get(b.scheme, "")} for b in balances]
    personal_total = sum((b.personal for b in balances if b.personal is not None), Decimal(0))
    series = selectors.personal_balance_series(cardholder, months=CHART_MONTHS)
    context = {
        "cardholder": cardholder,
        "rows": rows,
        "personal_total": personal_total,
        "chart": balance_chart(series),
        "card_ok": cardholder.card_status == Cardholder.CardStatus.ACTIVE,
        "banner": banner,
        "panels": panels,
    }
    if csrf_token:
        context["csrf_token"] = csrf_token  # the page is kept for later requests
    return render(request, DASHBOARD_TEMPLATES[0], context)


CHART_COLOURS = {Scheme.PENSION: ("#0b4a7f", ""), Scheme.MEDICAL: ("#0f6a34", "8 5")}


def _nice_ceiling(value):
    """A round number at or above `value` for the chart's top line."""
    if value <= 0:
        return Decimal(100)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = magnitude * Decimal(str(step))
        if top >= value:
            return top
    return magnitude * 10


def _chart_plot(series, schemes, months, ceiling, *, width, height, left, ticks, labels):
    """Geometry of one drawing of the chart: axes, tick values, month labels, lines."""
    right, top, bottom = 16, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(months) - 1, 1)

    def y_of(value):
        return round(top + plot_h - float(value / ceiling) * plot_h, 1)

    lines = []
    for scheme in schemes:
        colour, dash = CHART_COLOURS[scheme]
        points = " ".join(
            f"{round(left + i * step, 1)},{y_of(value)}"
            for i, (_day, value) in enumerate(series[scheme.value])
        )
        lines.append({"label": scheme.label, "colour": colour, "dash": dash, "points": points})
    parts = ticks - 1
    tick_rows = [
        {"y": y_of(ceiling * i / parts), "value": (ceiling * i / parts).quantize(Decimal("1"))}
        for i in range(ticks)
    ]
    every = max(len(months) // labels, 1)
    last = len(months) - 1
    x_labels = [
        {
            "x": round(left + i * step, 1),
            "text": f"{day:%Y-%m}",
            "anchor": "end" if i == last else "start" if i == 0 else "middle",
        }
        for i, day in enumerate(months)
        if (i % every == 0 and last - i >= every // 2) or i == last
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "lines": lines,
        "ticks": tick_rows,
        "x_labels": x_labels,
    }


def balance_chart(series, width=720, height=260):
    """Geometry of a line chart of month-end personal balances, drawn by the template
    as inline SVG (no script, no external library). Also the rows of its data table.

    The chart is drawn twice: wide, and compact for phones, where the wide drawing
    shrunk to the screen would have unreadable labels. The compact one has a narrower
    viewBox (so its text stays near its nominal size), fewer ticks and fewer months.
    """
    schemes = [s for s in (Scheme.PENSION, Scheme.MEDICAL) if s.value in series]
    if not schemes:
        return None
    months = [day for day, _value in series[schemes[0].value]]
    if not months:
        return None
    peak = max((value for s in schemes for _d, value in series[s.value]), default=Decimal(0))
    ceiling = _nice_ceiling(peak)
    wide = _chart_plot(
        series, schemes, months, ceiling, width=width, height=height, left=80, ticks=5, labels=6
    )
    compact = _chart_plot(
        series, schemes, months, ceiling, width=360, height=240, left=92, ticks=3, labels=2
    )
    table = [
        {
            "month": day,
            "cells": [{"label": s.label, "value": series[s.value][i][1]} for s in schemes],
        }
        for i, day in enumerate(months)
    ]
    return {
        **wide,
        "plots": [
            {**wide, "size": "wide", "suffix": ""},
            {**compact, "size": "compact", "suffix": "-compact"},
        ],
        "labels": [s.label for s in schemes],
        "table": table[::-1],
        "first": months[0],
        "last": months[-1],
    }


# --- account history ------------------------------------------------------------


def _history_years(cardholder, account):
    """Every year the account could have moved in: from working age to this year."""
    today = timezone.localdate()
    working_age = max(cardholder.date_of_birth.year + 16, 1900)
    first = min([account.opened_at.year, working_age, today.year])
    return list(range(today.year, first - 1, -1))


# One row of the history table. Written out here, once per row, rather than as a loop
# in the template: twenty rows of template nodes (a lookup, a filter and a condition
# per cell) were a fifth of the page's time. Every value is escaped by format_html.
# Each cell carries its column's label (data-label), which phones show beside the value
# when the table stacks; the roles keep it a table for screen readers.
HISTORY_ROW = (
    '<tr role="row" data-entry="{}">\n'
    '          <td role="cell" class="nowrap" data-label="{}">{}</td>\n'
    '          <td role="cell" data-label="{}">{}</td>\n'
    '          <td role="cell" class="num amount--in" data-label="{}">{}</td>\n'
    '          <td role="cell" class="num amount--out" data-label="{}">{}</td>\n'
    '          <td role="cell" class="num" data-label="{}">{}</td>\n'
    "        </tr>"
)


def _history_rows(entries):
    date, what, money_in, money_out, after = (
        _("Date"),
        _("What happened"),
        _("Money in"),
        _("Money out"),
        _("Balance after"),
    )
    rows = []
    for entry in entries:
        amount = formatting.money(abs(entry.amount))
        credit = entry.amount > 0
        rows.append(
            format_html(
                HISTORY_ROW,
                entry.id,
                date,
                formatting.date_text(entry.posted_at),
                what,
                selectors.describe_entry(entry),
                money_in,
                amount if credit else "",
                money_out,
                "" if credit else amount,
                after,
                formatting.money(entry.balance_after),
            )
        )
    return mark_safe("\n        ".join(rows))  # noqa: S308 - each row is format_html's


HISTORY_TEMPLATES = (
    "accounts/account_detail.html",
    "base.html",
    "accounts/includes/error_summary.html",
    "accounts/includes/field.html",
)


@login_required
def account_detail(request, pk):
    """One account's entries, newest first, in pages of PAGE_SIZE; filter by year and kind.

    The cardholder's own account pages are served from the cache while the account is
    unchanged (accounts.read_models: its newest entry, balance and status are the
    version); the entries of a page never change once posted."""
    state = read_models.kept_state(request, pk)
    if state is None:
        return _account_detail_page(request, pk)
    return read_models.cached_page(
        request,
        name=f"history:{pk}",
        state=state,
        templates=HISTORY_TEMPLATES,
        build=lambda csrf_token: _account_detail_page(request, pk, csrf_token),
        params=("cursor", "year", "kind"),
    )


def _account_detail_page(request, pk, csrf_token=None):
    try:
        account = selectors.account_get_for_user(request.user, pk)
    except NotFound:
        raise Http404 from None
    cardholder = account.cardholder
    form = HistoryFilterForm(request.GET or None, years=_history_years(cardholder, account))
    cursor = request.GET.get("cursor", "")
    filters = {}
    page = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        if form.is_bound:
            filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            page = selectors.account_history(
                account, cursor=cursor or None, limit=PAGE_SIZE, **filters
            )
        except DomainError as exc:
            # A cursor from an old link or typed by hand: say so, show the first page.
            messages.warning(request, str(exc.message))
            status = 400
            cursor = ""
            page = selectors.account_history(account, limit=PAGE_SIZE, **filters)
    lines = _history_rows(page.entries) if page is not None and page.entries else ""
    query = dict(filters)
    next_url = newest_url = None
    if page is not None and page.has_more:
        next_url = "?" + urlencode({**query, "cursor": page.next_cursor})
    if cursor:
        newest_url = "?" + urlencode(query) if query else request.path
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "scheme_label": Scheme(account.scheme).label,
            "form": form,
            "lines": lines,
            "page": page,
            "filtered": bool(filters),
            "kind_labels": dict(HISTORY_KINDS),
            "next_url": next_url,
            "newest_url": newest_url,
            "paged": bool(cursor),
            # The page is kept for later requests: a placeholder for their tokens.
            **({"csrf_token": csrf_token} if csrf_token else {}),
        },
        status=status,
    )


# --- contributions ----------------------------------------------------------------


@cardholder_required
def contributions(request, cardholder):
    """Month by month: employer, wage base, what went to the pool and to the personal account."""
    years = selectors.contribution_years(cardholder)
    data = request.GET.copy()
    if "year" not in data and years:
        data["year"] = str(years[0])
    form = ContributionFilterForm(data, years=years)
    status = 200
    groups = []
    if form.is_valid():
        scheme = form.cleaned_data["scheme"] or None
        year = form.cleaned_data["year"]
        rows = selectors.contribution_history(cardholder, scheme=scheme, year=year)
        groups = _group_by_scheme(rows)
    else:
        status = 400
    return render(
        request,
        "accounts/contributions.html",
        {"form": form, "groups": groups, "years": years, "cardholder": cardholder},
        status=status,
    )


def _group_by_scheme(rows):
    groups = {}
    for row in rows:
        group = groups.setdefault(
            row["scheme"],
            {
                "scheme": row["scheme"],
                "label": row["scheme_label"],
                "rows": [],
                "to_pooled": Decimal("0.00"),
                "to_personal": Decimal("0.00"),
            },
        )
        group["rows"].append(row)
        group["to_pooled"] += row["to_pooled"]
        group["to_personal"] += row["to_personal"]
    order = {scheme: i for i, scheme in enumerate(Scheme.values)}
    return sorted(groups.values(), key=lambda g: order[g["scheme"]])


# --- annual statement ----------------------------------------------------------------


def _statement_or_404(cardholder, year):
    if year > timezone.localdate().year:
        raise Http404
    try:
        return selectors.annual_statement(cardholder, year)
    except InvalidYear:
        raise Http404 from None


def _statement_context(statement):
    labels = dict(Scheme.choices)
    kinds = dict(Account.Kind.choices)
    for row in statement["accounts"]:
        row["label"] = labels.get(row["scheme"], row["scheme"])
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
        rate = row.get("interest_rate")
        if rate is not None:
            text = f"{(rate.rate * 100).normalize():f} %"
            if rate.year != statement["year"]:
                text += " " + _("(latest published, %(year)s)") % {"year": rate.year}
            row["interest_rate_text"] = text
    interest_rows = [row for row in statement["accounts"] if row["kind"] == Account.Kind.PERSONAL]
    totals = [
        {"label": labels.get(scheme, scheme), **values}
        for scheme, values in statement["contribution_totals"].items()
    ]
    return {
        **statement,
        "totals": totals,
        "interest_rows": interest_rows,
        "issued": timezone.localdate(),
    }


@cardholder_required
def statement_index(request, cardholder):
    """The years for which a statement can be printed."""
    years = selectors.record_years(cardholder)
    return render(request, "accounts/statement_index.html", {"years": years})


def _no_record(request, year):
    """A year without a record has no statement: say so, with a 404 status."""
    return render(request, "accounts/statement_none.html", {"year": year}, status=404)


@cardholder_required
def statement(request, cardholder, year):
    """A year's contributions and balances, as a page made for printing."""
    if year not in selectors.record_years(cardholder):
        return _no_record(request, year)
    data = _statement_context(_statement_or_404(cardholder, year))
    return render(request, "accounts/statement.html", data)


@cardholder_required
def statement_pdf(request, cardholder, year):
    """The same statement as a PDF document (Chinese text embedded with a CID font)."""
    from accounts.statement_pdf import render_statement_pdf

    if year not in selectors.record_years(cardholder):
        return _no_record(request, year)
    data = _statement_context(_statement_or_404(cardholder, year))
    verify_base = request.build_absolute_uri("/verify/")
    response = HttpResponse(render_statement_pdf(data, verify_base), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{year}.pdf"'
    return response


# --- card ----------------------------------------------------------------------------


@cardholder_required
def card(request, cardholder):
    """The card: its status, the financial function and its history, newest first."""
    return render(request, "accounts/card.html", {"card": selectors.card_overview(cardholder)})


@cardholder_required
@require_http_methods(["GET", "POST"])
def card_lift_loss_report(request, cardholder):
    """The cardholder found the card: with their password again, it pays again.

    A cancelled or frozen card cannot be freed here (the page says why, and a POST
    is refused with 409); a card not reported lost goes back to the card page."""
    card = selectors.card_overview(cardholder)
    if card["active"]:
        return redirect("accounts:card")
    context = {"card": card}
    if not card["can_lift_loss_report"]:
        status = 409 if request.method == "POST" else 200
        return render(request, "accounts/card_lift_loss_report.html", context, status=status)
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not reauth.password_confirms(request, request.user, form.cleaned_data["password"]):
            if reauth.locked_out(request):
                return lockout_response(request)
            form.add_error("password", reauth.WRONG_PASSWORD)
        else:
            try:
                services.card_lift_loss_report(cardholder=cardholder, actor=request.user)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("The loss report is lifted. Your card can be used for payments again."),
                )
                return redirect("accounts:card")
    status = 400 if form.is_bound and form.errors else 200
    context["form"] = form
    return render(request, "accounts/card_lift_loss_report.html", context, status=status)


@cardholder_required
@require_http_methods(["GET", "POST"])
def card_report_lost(request, cardholder):
    """Confirm, then report the card lost: purchases with it are refused from then on."""
    Status = Cardholder.CardStatus
    if cardholder.card_status in (Status.REPORTED_LOST, Status.CANCELLED):
        refused = request.method == "POST" and cardholder.card_status == Status.CANCELLED
        return render(
            request,
            "accounts/card_report_lost.html",
            {"cardholder": cardholder},
            status=409 if refused else 200,
        )
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_report_lost(cardholder=cardholder, actor=request.user)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("Your card is reported lost. No payment can be made with it any more."),
            )
            return redirect("accounts:dashboard")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "accounts/card_report_lost.html",
        {"cardholder": cardholder, "form": form},
        status=status,
    )


# --- staff second factor ------------------------------------------------------------


ENROLMENT_SESSION_KEY = "sscard_totp_enrolment_for"


@login_required
@require_http_methods(["GET", "POST"])
def staff_totp(request):
    """A staff member sets up their first authenticator app. Open only while no
    confirmed device exists, and only with a one-time enrolment code an operator
    issued (never with the password alone): first the code, then the secret (as text,
    a link and a QR code, newly made so nothing shown earlier is reused) and a TOTP
    code to prove it works. Otherwise the admin's own login asks for the code."""
    import django_otp

    from accounts import staff_otp

    user = request.user
    if not user.is_staff:
        raise Http404
    existing = staff_otp.confirmed_device(user)
    if existing is not None:
        return render(
            request,
            "registration/staff_totp.html",
            {"enrolled": True, "verified": user.is_verified()},
        )
    if request.session.get(ENROLMENT_SESSION_KEY) != user.pk:
        form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            if staff_otp.enrolment_code_valid(user, form.cleaned_data["enrolment_code"]):
                staff_otp.totp_device_for(user, replace=True)  # a secret nobody saw yet
                request.session[ENROLMENT_SESSION_KEY] = user.pk
                return redirect("staff_totp")
            form.add_error(
                "enrolment_code",
                _("That enrolment code is not right or has expired. Ask an operator for one."),
            )
        status = 400 if form.is_bound and form.errors else 200
        return render(
            request,
            "registration/staff_totp.html",
            {"form": form, "needs_code": True},
            status=status,
        )
    device = staff_otp.totp_device_for(user)
    form = TotpCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if staff_otp.device_confirm(user, device, form.cleaned_data["code"]):
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            django_otp.login(request, device)
            messages.success(request, _("Your authenticator is set up. The staff site is open."))
            return redirect("admin:index")
        form.add_error("code", _("That code is not right. Check the phone's clock and try again."))
    status = 400 if form.is_bound and form.errors else 200
    secret = staff_otp.secret_base32(device)
    return render(
        request,
        "registration/staff_totp.html",
        {
            "form": form,
            "secret": secret,
            "uri": device.config_url,
            "qr": staff_otp.qr_data_uri(device.config_url),
        },
        status=status,
    )


# --- error pages ---------------------------------------------------------------------


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    """A form sent without a valid security token (cookie cleared or expired)."""
    return render(request, "csrf_failure.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No request context: the database or a context processor may be what failed.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)
