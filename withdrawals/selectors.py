"""Reads of the withdrawals app, scoped to what the asking user may see."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.translation import gettext_lazy as _l

from accounts.exceptions import NotFound
from accounts.models import Account, Cardholder, Scheme
from withdrawals import eligibility
from withdrawals.models import (
    CLAIMING_STATES,
    ApplicationEvent,
    Status,
    SupportingDocument,
    WithdrawalApplication,
)

# Staff who may read any application: reviewers, approvers, auditors.
APPLICATION_STAFF_PERMS = (
    "withdrawals.view_withdrawalapplication",
    "withdrawals.review_application",
    "withdrawals.approve_application",
)
# Staff who may open any document: reviewers, approvers, auditors.
DOCUMENT_STAFF_PERMS = (
    "withdrawals.review_application",
    "withdrawals.approve_application",
    "withdrawals.view_supportingdocument",
)

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
    return (
        WithdrawalApplication.objects.filter(applicant_id=user.pk)
        .select_related("cardholder")
        .order_by("-created_at", "-id")
    )


def application_get_for_user(user, pk):
    """One of the user's own applications; NotFound otherwise (whoever else owns it)."""
    try:
        return applications_for_user(user).get(pk=pk)
    except (WithdrawalApplication.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def is_staff_with(user, perms):
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and any(user.has_perm(perm) for perm in perms)
    )


def application_get_for_reader(user, pk, *, staff_action=False):
    """The application `user` may read: their own, or any for review staff.

    For a staff action any staff member gets it and the service decides whether
    they may act. Everything else is NotFound, whether it exists or not.
    """
    staff = user.is_authenticated and user.is_staff
    if staff and (staff_action or is_staff_with(user, APPLICATION_STAFF_PERMS)):
        application = (
            WithdrawalApplication.objects.select_related("cardholder", "applicant")
            .filter(pk=pk)
            .first()
        )
        if application is None:
            raise NotFound()
        return application
    return application_get_for_user(user, pk)


def document_get_for_user(user, pk):
    """A document the user may open: the applicant's own, or any for review staff."""
    document = (
        SupportingDocument.objects.select_related("application").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if document is None or not user.is_authenticated:
        raise NotFound()
    if document.application.applicant_id == user.pk:
        return document
    if is_staff_with(user, DOCUMENT_STAFF_PERMS):
        return document
    raise NotFound()


def review_queue():
    """Claims waiting for staff, oldest submission first."""
    return (
        WithdrawalApplication.objects.filter(
            status__in=(Status.AWAITING_DECISION, Status.IN_REVIEW, Status.SUBMITTED)
        )
        .select_related("cardholder", "applicant")
        .order_by("submitted_at", "id")
    )


_NEXT_STEP = {
    Status.DRAFT: _l("Add the documents asked for and submit the application."),
    Status.SUBMITTED: _l("Your documents will be checked automatically, usually within minutes."),
    Status.IN_REVIEW: _l("Your documents are being checked automatically."),
    Status.NEEDS_DOCUMENTS: _l("Read the reviewer's message, add the documents and submit again."),
    Status.AWAITING_DECISION: _l("A member of staff will verify the documents and decide."),
    Status.APPROVED: _l("The money will be sent to your bank account with the next payment batch."),
    Status.PAID: _l("Nothing more: the money has been paid."),
    Status.PAYOUT_FAILED: _l("The bank could not pay; staff will correct the details and resend."),
    Status.REJECTED: _l("Nothing more. You may start a new application if things change."),
    Status.WITHDRAWN: _l("Nothing more. You may start a new application at any time."),
}


@dataclass(frozen=True)
class Timeline:
    events: list
    next_step: str


def timeline(application):
    """The application's events in order, and what happens next (one query)."""
    events = list(
        ApplicationEvent.objects.filter(application_id=application.pk)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    return Timeline(events=events, next_step=str(_NEXT_STEP.get(application.status, "")))


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


@dataclass(frozen=True)
class OwnAccount:
    id: int
    scheme: str
    kind: str
    balance: Decimal
    status: str
    claimed: bool  # an open withdrawal claim holds this personal account


# {states} is one placeholder per claiming state; the table names come from the models.
_OWN_ACCOUNTS_SQL = """
SELECT a.id, a.scheme, a.kind, a.balance, a.status,
  CASE
    WHEN a.kind = 'personal' AND a.scheme = 'pension' THEN EXISTS (
      SELECT 1 FROM {applications} w WHERE w.cardholder_id = a.cardholder_id
      AND w.claims_pension AND w.status IN ({states}))
    WHEN a.kind = 'personal' AND a.scheme = 'medical' THEN EXISTS (
      SELECT 1 FROM {applications} w WHERE w.cardholder_id = a.cardholder_id
      AND w.claims_medical AND w.status IN ({states}))
    ELSE FALSE
  END
FROM {accounts} a JOIN {cardholders} c ON c.id = a.cardholder_id
WHERE c.user_id = %s AND a.kind <> 'system'
ORDER BY a.id
"""


def _own_accounts_sql():
    return _OWN_ACCOUNTS_SQL.format(
        applications=WithdrawalApplication._meta.db_table,
        accounts=Account._meta.db_table,
        cardholders=Cardholder._meta.db_table,
        states=", ".join(["%s"] * len(CLAIMING_STATES)),
    )


def own_accounts_with_claims(user):
    """The user's own cardholder accounts (none for heirs and staff), each with whether
    an open claim holds it. One query, written out: the account list is read on every
    API call, and building it through the ORM costs more than running it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    states = [str(state) for state in CLAIMING_STATES]
    with connection.cursor() as cursor:
        cursor.execute(_own_accounts_sql(), [*states, *states, user.pk])
        return [
            OwnAccount(pk, scheme, kind, _money(balance), status, bool(claimed))
            for pk, scheme, kind, balance, status, claimed in cursor.fetchall()
        ]


def _money(value):
    # PostgreSQL hands back a Decimal; SQLite a number, read through its shortest repr.
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal("0.01"))
