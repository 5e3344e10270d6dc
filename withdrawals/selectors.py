"""Reads of the withdrawals app, scoped to what the asking user may see."""

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _l

from accounts import selectors as account_selectors
from accounts.models import Account, Cardholder, Contribution, Scheme
from casework import selectors as casework
from casework.models import Case, Finding
from casework.selectors import Timeline, is_staff_with  # noqa: F401
from pensions import retirement
from withdrawals import eligibility, safeguards
from withdrawals.models import (
    CLAIMING_STATES,
    WORKFLOW,
    ApplicationEvent,
    Heir,
    WithdrawalApplication,
)

APPLICATION_STAFF_PERMS = WORKFLOW.read_perms
DOCUMENT_STAFF_PERMS = WORKFLOW.document_perms

# The written notice of MOHRSS Order No. 13 (2011) Art. 6, shown before an
# emigrating cardholder confirms closing the pension personal account.
PENSION_NOTICE = _l(
    "Before you close your pension personal account, please note:\n"
    "1. You do not have to close it. You may keep your basic pension insurance "
    "relationship and personal account after settling abroad, and receive a pension "
    "once you reach pension age and meet the conditions, including if you return.\n"
    "2. If you close it, the balance of your pension personal account is paid to you "
    "in one sum and your basic pension insurance relationship ends: the years you "
    "contributed no longer count and you will not receive a basic pension from it.\n"
    "3. Closing it is possible only after you have given up PRC nationality.\n"
    "By typing your full name you confirm in writing that you have read this notice "
    "and still want the account closed."
)


def pension_notice(language=None):
    """The written notice text in `language` (default: the active language)."""
    if language is None:
        return str(PENSION_NOTICE)
    with translation.override(eligibility.supported_language(language)):
        return str(PENSION_NOTICE)


def applications_for_user(user):
    """The applications the user made, newest first."""
    return casework.cases_for_user(WithdrawalApplication, user)


def application_get_for_user(user, pk):
    """One of the user's own applications; NotFound otherwise (whoever else owns it)."""
    return casework.case_get_for_user(WithdrawalApplication, user, pk)


def application_get_for_reader(user, pk, *, staff_action=False):
    """The application `user` may read: their own, or any for review staff.

    For a staff action any staff member gets it and the service decides whether
    they may act. Everything else is NotFound, whether it exists or not.
    """
    return casework.case_get_for_reader(WithdrawalApplication, user, pk, staff_action=staff_action)


def application_get(pk):
    return casework.case_get(WithdrawalApplication, pk)


def application_for_response(pk):
    """One application with what its API answer shows (cardholder, applicant, documents)."""
    return (
        WithdrawalApplication.objects.select_related("cardholder", "applicant")
        .prefetch_related("documents")
        .get(pk=pk)
    )


def application_by_reference(reference):
    return WithdrawalApplication.objects.filter(reference=reference).first()


document_get_for_user = casework.document_get_for_user
timeline = casework.timeline


def review_queue():
    """Claims waiting for staff, oldest submission first."""
    return casework.review_queue(WithdrawalApplication)


def payouts_waiting():
    """Approved payouts not yet sent to the bank, oldest first."""
    # A claim split between heirs is sent share by share (withdrawals.heir_services).
    return (
        WithdrawalApplication.objects.filter(
            status__in=WORKFLOW.sources("payout_confirmed"), payout_sent_at__isnull=True
        )
        .exclude(Exists(Heir.objects.filter(application=OuterRef("pk"))))
        .order_by("pk")
    )


def payouts_sent():
    """Approved payouts sent to the bank and not answered yet, newest first."""
    return WithdrawalApplication.objects.filter(
        status__in=WORKFLOW.sources("payout_confirmed"), payout_sent_at__isnull=False
    ).order_by("-payout_sent_at")


def claimable_summary(cardholder):
    """Each personal account: its balance and whether a claim could take it now. One
    query: the open claim on each account (the oldest, if several) comes with it."""
    open_claims = WithdrawalApplication.objects.filter(
        cardholder_id=OuterRef("cardholder_id"), status__in=CLAIMING_STATES
    ).order_by("id")
    accounts = (
        Account.objects.filter(cardholder_id=cardholder.pk, kind=Account.Kind.PERSONAL)
        .annotate(
            pension_claim=Subquery(open_claims.filter(claims_pension=True).values("reference")[:1]),
            medical_claim=Subquery(open_claims.filter(claims_medical=True).values("reference")[:1]),
        )
        .order_by("scheme")
    )
    rows = []
    for account in accounts:
        claimed_by = {
            Scheme.PENSION: account.pension_claim,
            Scheme.MEDICAL: account.medical_claim,
        }.get(account.scheme) or ""
        rows.append(
            {
                "scheme": account.scheme,
                "scheme_label": account.get_scheme_display(),
                "balance": account.balance,
                "status": account.status,
                "claimed_by": claimed_by,
                "claimable": (
                    account.status == Account.Status.OPEN and account.balance > 0 and not claimed_by
                ),
            }
        )
    return rows


# {states} is one placeholder per claiming state; the table names come from the models.
_OPEN_CLAIM_SQL = """(CASE WHEN EXISTS (
  SELECT 1 FROM {applications} w JOIN {cases} k ON k.id = w.case_ptr_id
  WHERE k.cardholder_id = c.id AND w.{flag} AND k.status IN ({states})) THEN 1 ELSE 0 END)"""

# The user's attributes: whether an open claim holds their personal account of the scheme.
OPEN_CLAIM_COLUMNS = {
    Scheme.PENSION: ("pension_claimed", "claims_pension"),
    Scheme.MEDICAL: ("medical_claimed", "claims_medical"),
}


def open_claim_sql(flag):
    """(sql, params) for the user's query (accounts.user_reads, where `c` is the
    user's cardholder): 1 when an open claim holds their account (`flag` the
    application's claims_pension or claims_medical), else 0."""
    states = [str(state) for state in CLAIMING_STATES]
    sql = _OPEN_CLAIM_SQL.format(
        applications=WithdrawalApplication._meta.db_table,
        cases=Case._meta.db_table,
        flag=flag,
        states=", ".join(["%s"] * len(states)),
    )
    return sql, states


def claimed_schemes(user):
    """The schemes whose personal account of `user` an open claim holds, as read with
    the user (accounts.user_reads)."""
    return {
        scheme for scheme, (column, _flag) in OPEN_CLAIM_COLUMNS.items() if getattr(user, column)
    }


# --- the staff pages ---------------------------------------------------------------------


def cardholder_accounts(cardholder):
    """Every account of the cardholder, for the application page."""
    return list(Account.objects.filter(cardholder=cardholder).order_by("kind", "scheme", "id"))


def payouts_total(queryset):
    return queryset.aggregate(total=Sum("amount"))["total"]


@dataclass(frozen=True)
class Dashboard:
    counts: dict
    overdue: list
    overdue_count: int
    payouts_waiting: int
    payouts_total: Decimal
    today_count: int
    today_staff_count: int
    today_events: list


def dashboard(now):
    """What the staff landing page counts and lists."""
    counts = dict(
        WithdrawalApplication.objects.exclude(status=WORKFLOW.initial)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    overdue = WithdrawalApplication.objects.filter(casework.overdue_q(now))
    waiting = payouts_waiting().aggregate(n=Count("pk"), total=Sum("amount"))
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = ApplicationEvent.objects.filter(kind=WORKFLOW.kind, created_at__gte=start_of_day)
    return Dashboard(
        counts=counts,
        overdue=list(overdue.select_related("cardholder").order_by("submitted_at", "pk")[:10]),
        overdue_count=overdue.count(),
        payouts_waiting=waiting["n"] or 0,
        payouts_total=waiting["total"],
        today_count=today.count(),
        today_staff_count=today.filter(actor__isnull=False).count(),
        today_events=list(
            today.select_related("case", "actor").order_by("-created_at", "-id")[:15]
        ),
    )


def changelist_counts():
    """{status: number} over every withdrawal application, and how many are overdue."""
    return casework.status_counts(WithdrawalApplication), WithdrawalApplication.objects.filter(
        casework.overdue_q()
    ).count()


def applicant_regions():
    """The pooling regions of the cardholders who applied."""
    return (
        Cardholder.objects.filter(pk__in=WithdrawalApplication.objects.values("cardholder_id"))
        .values_list("region", flat=True)
        .distinct()
        .order_by("region")
    )


def document_of(application, pk):
    """One document of the application, or None."""
    return application.documents.filter(pk=pk).first()


def documents_of(application):
    """The application's documents in upload order."""
    return list(application.documents.order_by("id"))


def cardholder_get(pk):
    return Cardholder.objects.filter(pk=pk).first() if pk else None


# --- eligibility facts: what the rules look at, read now (nothing is written) ----


def _claims(schemes):
    q = Q()
    for scheme in schemes:
        if scheme == eligibility.PENSION:
            q |= Q(claims_pension=True)
        elif scheme == eligibility.MEDICAL:
            q |= Q(claims_medical=True)
    return q


def _claimed_elsewhere(cardholder, schemes, exclude_pk=None):
    """The schemes among `schemes` another open application already claims."""
    if not schemes:
        return set()
    wanted = _claims(schemes)
    if not wanted:
        return set()
    others = WithdrawalApplication.objects.filter(
        wanted, cardholder=cardholder, status__in=CLAIMING_STATES
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    claimed = set()
    for pension, medical in others.values_list("claims_pension", "claims_medical"):
        if pension:
            claimed.add(eligibility.PENSION)
        if medical:
            claimed.add(eligibility.MEDICAL)
    return claimed & set(schemes)


def _account_facts(cardholder, schemes, exclude_pk=None):
    accounts = {
        account.scheme: account
        for account in cardholder.accounts.filter(kind=Account.Kind.PERSONAL, scheme__in=schemes)
    }
    claimed = _claimed_elsewhere(cardholder, schemes, exclude_pk)
    facts = []
    for scheme in schemes:
        account = accounts.get(scheme)
        if account is None:
            facts.append(
                eligibility.AccountFacts(
                    scheme=scheme,
                    kind=eligibility.PERSONAL,
                    status="missing",
                    balance=0,
                    claimed_elsewhere=scheme in claimed,
                )
            )
        else:
            facts.append(
                eligibility.AccountFacts(
                    scheme=scheme,
                    kind=account.kind,
                    status=account.status,
                    balance=account.balance,
                    claimed_elsewhere=scheme in claimed,
                )
            )
    return tuple(facts)


def _death_verified(cardholder):
    return (
        cardholder.life_status == Cardholder.LifeStatus.DECEASED
        and cardholder.date_of_death is not None
        and bool(cardholder.death_certificate_number)
    )


def _emigration_verified(cardholder):
    return (
        cardholder.life_status == Cardholder.LifeStatus.EMIGRATED
        and cardholder.emigrated_on is not None
        and bool(cardholder.emigration_certificate_number)
    )


def _applicant_is_cardholder(applicant, cardholder):
    return (
        cardholder.user_id is not None
        and applicant is not None
        and cardholder.user_id == applicant.pk
    )


def balances_disclosed(applicant, cardholder, reason):
    """Whether `applicant` may see the amounts of `cardholder`'s accounts now."""
    return safeguards.balances_disclosed(
        applicant_is_cardholder=_applicant_is_cardholder(applicant, cardholder),
        reason=reason,
        death_verified=_death_verified(cardholder),
    )


def _standing_when_settled_abroad(cardholder, today):
    """(reached pension age, whole contribution years) at the date of settling abroad
    (today while it is not recorded), from the card and the pension record (Order 13
    Art. 6). A woman's category is not on the card: the worker schedule, the earlier
    age, is used, and staff correct it on review if she held a cadre post."""
    settled = cardholder.emigrated_on or today
    category = retirement.category_for(cardholder.gender)
    reached = retirement.retirement_date(cardholder.date_of_birth, category) <= settled
    months = (
        Contribution.objects.filter(
            cardholder=cardholder, scheme=Scheme.PENSION, month__lte=settled
        )
        .order_by()
        .dates("month", "month")
    )
    return reached, retirement.whole_years(retirement.contribution_months(months))


def _facts(*, stage, applicant, cardholder, reason, relationship, accounts, documents=None):
    attached, passed = documents or (frozenset(), frozenset())
    today = timezone.localdate()
    reached_pension_age, contribution_years = (
        _standing_when_settled_abroad(cardholder, today)
        if reason == eligibility.EMIGRATION
        else (False, 0)
    )
    return eligibility.Facts(
        stage=stage,
        reason=reason,
        applicant_is_cardholder=_applicant_is_cardholder(applicant, cardholder),
        relationship=relationship,
        life_status=cardholder.life_status,
        death_verified=_death_verified(cardholder),
        emigration_verified=_emigration_verified(cardholder),
        nationality_given_up=cardholder.nationality_given_up,
        drawing_pension=cardholder.employment_status == "retired",
        reached_pension_age=reached_pension_age,
        contribution_years=contribution_years,
        accounts=accounts,
        documents_attached=attached,
        documents_passed=passed,
        today=today,
    )


def default_schemes(cardholder):
    """The personal accounts with something in them: what a claim takes by default."""
    return list(
        cardholder.accounts.filter(
            kind=Account.Kind.PERSONAL, status=Account.Status.OPEN, balance__gt=0
        )
        .order_by("scheme")
        .values_list("scheme", flat=True)
    )


def eligibility_facts(application, stage):
    """Capture the facts the rules look at for `application` at `stage`."""
    cardholder = Cardholder.objects.get(pk=application.cardholder_id)
    kinds = application.documents.values_list("kind", "finding")
    attached = frozenset(kind for kind, _finding in kinds)
    passed = frozenset(kind for kind, finding in kinds if finding == Finding.PASSED)
    facts = _facts(
        stage=stage,
        applicant=application.applicant,
        cardholder=cardholder,
        reason=application.reason,
        relationship=application.relationship,
        accounts=_account_facts(cardholder, application.schemes, exclude_pk=application.pk),
        documents=(attached, passed),
    )
    # The written notice is a fact only once it was confirmed with a time and a name.
    return dataclasses.replace(
        facts,
        notice_confirmed=bool(
            application.notice_confirmed_at and application.notice_confirmed_name
        ),
    )


def application_decision(application, stage, approver=None):
    """The eligibility decision on `application` at `stage` (nothing is written).
    At approval it includes the safeguards on who decides (`approver`)."""
    decision = eligibility.evaluate(eligibility_facts(application, stage))
    if application.reason == eligibility.DEATH:
        from withdrawals import heir_services

        by_heirs = heir_services.decision_reasons(application, stage)
        if by_heirs:
            decision = eligibility.Decision(
                allowed=False,
                reasons=(*decision.reasons, *by_heirs),
                rules_version=decision.rules_version,
            )
    if stage != eligibility.APPROVAL or approver is None:
        return decision
    extra = safeguards.approval_reasons(decision_facts(application, approver))
    return eligibility.Decision(
        allowed=decision.allowed and not extra,
        reasons=(*decision.reasons, *extra),
        rules_version=decision.rules_version,
    )


def decision_facts(application, approver):
    """Who did what on `application`, for the safeguards of approval by `approver`."""
    from withdrawals.models import Reason, Status

    cardholder = Cardholder.objects.get(pk=application.cardholder_id)
    return safeguards.DecisionFacts(
        approver=getattr(approver, "pk", None),
        applicant=application.applicant_id,
        cardholder_user=cardholder.user_id,
        verifier=application.verified_by_id,
        documents_requested_by=application.reviewed_by_id,
        applicant_verified_by=application.applicant_verified_by_id,
        contested=application.status == Status.CONTESTED,
        on_record=(
            _death_verified(cardholder)
            if application.reason == Reason.DEATH
            else _emigration_verified(cardholder)
        ),
    )


def _precheck_facts(*, applicant, cardholder, reason, relationship, schemes=None):
    if schemes is None:
        schemes = default_schemes(cardholder)
    return _facts(
        stage=eligibility.PRECHECK,
        applicant=applicant,
        cardholder=cardholder,
        reason=reason,
        relationship=relationship,
        accounts=_precheck_accounts(cardholder, schemes),
    )


def precheck(*, applicant, cardholder, reason, relationship, schemes=None):
    """Answer "could I claim?" before any draft exists (nothing is written)."""
    return eligibility.evaluate(
        _precheck_facts(
            applicant=applicant,
            cardholder=cardholder,
            reason=reason,
            relationship=relationship,
            schemes=schemes,
        )
    )


def precheck_with_advice(*, applicant, cardholder, reason, relationship):
    """The pre-check's decision and, where the rules allow a claim that the record
    says is not due yet (a person living in China asking about emigration), the
    "not now" advice with its reason; otherwise None."""
    facts = _precheck_facts(
        applicant=applicant, cardholder=cardholder, reason=reason, relationship=relationship
    )
    return eligibility.evaluate(facts), eligibility.precheck_advice(facts)


def _precheck_accounts(cardholder, schemes):
    personal = [s for s in schemes if s in eligibility.SCHEMES_WITH_PERSONAL_ACCOUNT]
    facts = list(_account_facts(cardholder, personal))
    # A scheme without a personal account is reported by the rules, not hidden here.
    for scheme in schemes:
        if scheme not in eligibility.SCHEMES_WITH_PERSONAL_ACCOUNT:
            facts.append(
                eligibility.AccountFacts(
                    scheme=scheme, kind=eligibility.PERSONAL, status="open", balance=0
                )
            )
    return tuple(facts)


# --- the claim safeguards ---------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantIdentity:
    name: str
    national_id: str


def applicant_identity(user):
    """The identity `user` registered with: the name on their card when they are a
    cardholder, else the name as on the ID card they registered with
    (`accounts.selectors.applicant_identity`), and their ID number."""
    if user is None:
        return ApplicantIdentity("", "")
    card_name = Cardholder.objects.filter(user_id=user.pk).values_list("name", flat=True).first()
    registered = account_selectors.applicant_identity(user)
    name = card_name or (registered.name if registered else "") or user.get_full_name() or ""
    return ApplicantIdentity(" ".join(name.split()), getattr(user, "national_id", None) or "")


def timeline_for_applicant(application):
    """The timeline as the applicant sees it: without the staff-only lines."""
    whole = timeline(application)
    return Timeline(
        events=[event for event in whole.events if not event.staff_only],
        next_step=whole.next_step,
    )


def claimable_summary_for(applicant, cardholder, reason):
    """`claimable_summary` for what `applicant` may see: without amounts until staff
    have verified the death (or unless the applicant is the cardholder)."""
    rows = claimable_summary(cardholder)
    if balances_disclosed(applicant, cardholder, reason):
        return rows
    return [{**row, "balance": None} for row in rows]


def certificate_reuses(application):
    """The re-used certificates recorded on this claim or naming its cardholder."""
    from withdrawals.models import CertificateReuse

    return list(
        CertificateReuse.objects.filter(
            Q(application_id=application.pk) | Q(other_cardholder_id=application.cardholder_id)
        )
        .select_related("application", "flagged_by", "overridden_by", "other_cardholder")
        .order_by("id")
    )


@dataclass(frozen=True)
class RecordedDecision:
    """The rules' decision as it was recorded when the claim was decided."""

    allowed: bool
    stage: str
    rules_version: str
    at: datetime | None
    reasons: tuple  # (code, message in the active language)


def recorded_decision(application):
    """The last eligibility check on the record (the one the decision rested on), or
    None when the record holds none. Not re-evaluated: a decided claim is shown as it
    was decided, whatever the rules or the balances say now."""
    entries = list(application.decisions or [])
    if not entries:
        return None
    last = entries[-1]
    return RecordedDecision(
        allowed=bool(last.get("allowed")),
        stage=str(last.get("stage", "")),
        rules_version=str(last.get("rules_version", "")),
        at=datetime.fromisoformat(last["at"]) if last.get("at") else None,
        reasons=tuple((code, eligibility.render_message(code)) for code in last.get("codes", ())),
    )
