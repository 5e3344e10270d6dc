"""Read paths of the accounts app, scoped to what the asking user may see.

Each selector runs a fixed number of queries, whatever the length of the history.
"""

import base64
import binascii
import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import extensions
from accounts.exceptions import (
    InvalidCursor,
    InvalidInput,
    InvalidKind,
    InvalidYear,
    NotFound,
    UnknownScheme,
)
from accounts.interest_service import rate_table
from accounts.models import (
    PERSONAL_SCHEMES,
    ZERO,
    Account,
    Cardholder,
    CardStatusChange,
    Contribution,
    ContributionRate,
    Institution,
    LedgerEntry,
    LedgerTransaction,
    RetiredContributionRule,
    Scheme,
    Settlement,
    card_allows,
)
from accounts.reference_data import NATIONAL

SCHEME_ORDER = {scheme: index for index, scheme in enumerate(Scheme.values)}
MAX_PAGE = 100


def _local_tz():
    return ZoneInfo(settings.TIME_ZONE)


def _year_bounds(year):
    """[start, end) of calendar `year` in the site's time zone, as aware datetimes."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidYear(field="year") from None
    if not 1900 <= year <= 9998:
        raise InvalidYear(field="year")
    tz = _local_tz()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


# --- who is asking -----------------------------------------------------------


def _remember_cardholder(user, cardholder):
    """Keep `cardholder` (or None) as `user.cardholder`, so the page templates that ask
    for it do not query again."""
    related = user._meta.model.cardholder.related  # the reverse one-to-one
    related.set_cached_value(user, cardholder)


def _known_cardholder(user):
    """(True, the cardholder or None) when `user` was read with its cardholder record
    (the session's user is: sscard.middleware.SessionUserMiddleware), else (False, None)."""
    related = user._meta.model.cardholder.related
    if related.is_cached(user):
        return True, related.get_cached_value(user)
    return False, None


def cardholder_for_user(user):
    """The cardholder record linked to `user`, or None (heirs, staff, anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    known, cardholder = _known_cardholder(user)
    if known:
        return cardholder
    cardholder = Cardholder.objects.filter(user_id=user.pk).first()
    _remember_cardholder(user, cardholder)
    return cardholder


def card_overview(cardholder):
    """The card as its holder sees it: status, whether the financial function is on,
    what they may do with it now (from the transitions table), and its history,
    newest first. What only the bank knows about the bank side stays out. One query."""
    Why = CardStatusChange.Reason
    status = cardholder.card_status
    history = list(
        CardStatusChange.objects.filter(cardholder_id=cardholder.pk).order_by("-at", "-id")
    )
    cancelled = status == Cardholder.CardStatus.CANCELLED
    cancelled_by = next(
        (row for row in history if row.to_status == Cardholder.CardStatus.CANCELLED), None
    )
    return {
        "masked_card_number": cardholder.masked_card_number,
        "card_status": status,
        "card_status_label": cardholder.get_card_status_display(),
        "active": status == Cardholder.CardStatus.ACTIVE,
        "cancelled": cancelled,
        "cancelled_reason": cancelled_by.reason if cancelled and cancelled_by else "",
        "financial_function_activated": cardholder.card_financial_activated,
        "can_report_lost": card_allows(status, Why.REPORTED_LOST),
        "can_lift_loss_report": card_allows(status, Why.LOSS_REPORT_LIFTED),
        "history": history,
        # Provided by the replacement-card app (None of it without that app).
        "replacement": extensions.card_replacement(cardholder),
    }


def accounts_for_user(user):
    """The asking user's own cardholder accounts (none for non-cardholders)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Account.objects.none()
    return (
        Account.objects.filter(cardholder__user_id=user.pk)
        .select_related("cardholder")
        .order_by("id")
    )


def account_get_for_user(user, account_id):
    """One of the user's own accounts. Any other id, existing or not, is NotFound."""
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise NotFound(field="account") from None
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound(field="account")
    # Written out (each history page and API call asks): the account only if the user
    # holds it, then its cardholder with the encrypted ID number left deferred (read if
    # asked for; decrypting it cost more than the query, and the history shows none).
    # The session's user comes with their cardholder (SessionUserMiddleware): then the
    # account is one query by its holder.
    known, cardholder = _known_cardholder(user)
    if known:
        if cardholder is None:
            raise NotFound(field="account")
        sql, params = _held_account_sql(), [account_id, cardholder.pk]
    else:
        sql, params = _own_account_sql(), [account_id, user.pk]
    account = next(iter(Account.objects.raw(sql, params)), None)
    if account is None:
        raise NotFound(field="account")
    if cardholder is None:
        cardholder = next(iter(Cardholder.objects.raw(_cardholder_sql(), [account.cardholder_id])))
        _remember_cardholder(user, cardholder)
    account.cardholder = cardholder
    return account


_OWN_ACCOUNT_SQL = """
SELECT a.* FROM {accounts} a JOIN {cardholders} c ON c.id = a.cardholder_id
WHERE a.id = %s AND c.user_id = %s
"""


def _held_account_sql():
    return f"SELECT * FROM {Account._meta.db_table} WHERE id = %s AND cardholder_id = %s"  # noqa: S608


def _own_account_sql():
    return _OWN_ACCOUNT_SQL.format(
        accounts=Account._meta.db_table, cardholders=Cardholder._meta.db_table
    )


def _cardholder_sql():
    from encrypted_fields.fields import EncryptedFieldMixin

    columns = ", ".join(
        connection.ops.quote_name(field.column)
        for field in Cardholder._meta.concrete_fields
        if not isinstance(field, EncryptedFieldMixin)
    )
    return f"SELECT {columns} FROM {Cardholder._meta.db_table} WHERE id = %s"  # noqa: S608


# --- balances ----------------------------------------------------------------


@dataclass(frozen=True)
class SchemeBalance:
    scheme: str
    label: str
    personal: Decimal | None
    pooled: Decimal
    personal_account_id: int | None
    pooled_account_id: int
    personal_status: str | None
    total_contributed: Decimal
    # Of the personal balance, how much came as interest (SIL Art. 14), ever credited.
    personal_interest: Decimal = ZERO


def balances_for_cardholder(cardholder):
    """Personal and pooled balance per scheme, in Scheme order. Two queries."""
    accounts = {}
    # Interest summed per account in the same query, along the (account, kind) index.
    interest = (
        LedgerEntry.objects.filter(account=OuterRef("pk"), kind=LedgerTransaction.Kind.INTEREST)
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    for account in (
        Account.objects.filter(cardholder=cardholder)
        .exclude(kind="system")
        .annotate(interest_total=Subquery(interest))
    ):
        accounts[(account.scheme, account.kind)] = account
    contributed = dict(
        Contribution.objects.filter(cardholder=cardholder)
        .order_by()
        .values("scheme")
        .annotate(total=Sum(F("to_pooled") + F("to_personal")))
        .values_list("scheme", "total")
    )
    result = []
    for scheme in Scheme:
        pooled = accounts.get((scheme.value, Account.Kind.POOLED))
        if pooled is None:
            continue
        personal = accounts.get((scheme.value, Account.Kind.PERSONAL))
        result.append(
            SchemeBalance(
                scheme=scheme.value,
                label=str(scheme.label),
                personal=personal.balance if personal else None,
                pooled=pooled.balance,
                personal_account_id=personal.id if personal else None,
                pooled_account_id=pooled.id,
                personal_status=personal.status if personal else None,
                personal_interest=(personal.interest_total or ZERO) if personal else ZERO,
                total_contributed=Decimal(contributed.get(scheme.value) or ZERO).quantize(
                    Decimal("0.01")
                ),
            )
        )
    return result


# --- transaction history -----------------------------------------------------


@dataclass
class HistoryPage:
    entries: list
    next_cursor: str | None
    has_more: bool


def encode_cursor(entry_id):
    return base64.urlsafe_b64encode(str(int(entry_id)).encode()).decode().rstrip("=")


def decode_cursor(cursor):
    """The entry id inside an opaque cursor; InvalidCursor for anything else."""
    if not isinstance(cursor, str) or not 0 < len(cursor) <= 32:
        raise InvalidCursor(field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise InvalidCursor(field="cursor") from None
    if not raw.isdigit() or raw.startswith("0"):
        raise InvalidCursor(field="cursor")
    return int(raw)


_HISTORY_SQL = """
SELECT e.id, e.transaction_id, e.account_id, e.amount, e.balance_after, e.kind, e.posted_at,
  t.kind AS t_kind, t.reference AS t_reference, t.description AS t_description,
  t.reverses_id AS t_reverses_id,
  c.id AS c_id, c.payer AS c_payer, c.month AS c_month,
  s.id AS s_id, s.institution_id AS s_institution_id, i.kind AS i_kind, i.name AS i_name
FROM {entries} e
JOIN {transactions} t ON t.id = e.transaction_id
LEFT JOIN {contributions} c ON c.transaction_id = t.id
LEFT JOIN {settlements} s ON s.transaction_id = t.id
LEFT JOIN {institutions} i ON i.id = s.institution_id
WHERE e.account_id >= %s AND e.account_id <= %s{filters}
ORDER BY e.account_id, e.id DESC
LIMIT %s
"""


def _history_sql(filters):
    return _HISTORY_SQL.format(
        entries=LedgerEntry._meta.db_table,
        transactions=LedgerTransaction._meta.db_table,
        contributions=Contribution._meta.db_table,
        settlements=Settlement._meta.db_table,
        institutions=Institution._meta.db_table,
        filters="".join(f" AND {condition}" for condition in filters),
    )


# Columns of the joined rows come back as the database gives them (SQLite: a date as
# text); the field makes the value what the model holds.
_MONTH = Contribution._meta.get_field("month")


def _partial(model, **values):
    """An instance of `model` with only these columns loaded (the others deferred)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(None, names, [values[name] for name in names])


def _history_entry(row, account):
    """The entry with its transaction and, where there is one, the contribution or the
    settlement (and its institution) that made it: only the columns the history shows
    are read, every other one stays deferred (read if asked for), as with .only()."""
    transaction = _partial(
        LedgerTransaction,
        id=row.transaction_id,
        kind=row.t_kind,
        reference=row.t_reference,
        description=row.t_description,
        reverses_id=row.t_reverses_id,
    )
    contribution = settlement = None
    if row.c_id is not None:
        contribution = _partial(
            Contribution,
            id=row.c_id,
            payer=row.c_payer,
            month=_MONTH.to_python(row.c_month),
            transaction_id=row.transaction_id,
        )
        contribution.transaction = transaction
    if row.s_id is not None:
        settlement = _partial(
            Settlement,
            id=row.s_id,
            institution_id=row.s_institution_id,
            transaction_id=row.transaction_id,
        )
        settlement.institution = _partial(
            Institution, id=row.s_institution_id, kind=row.i_kind, name=row.i_name
        )
        settlement.transaction = transaction
    # Reverse one-to-ones known to be absent read as absent (DoesNotExist), not as a query.
    LedgerTransaction.contribution.related.set_cached_value(transaction, contribution)
    LedgerTransaction.settlement.related.set_cached_value(transaction, settlement)
    row.transaction = transaction
    # Every row is on the same account: share the caller's instance (and its cardholder).
    row.account = account
    return row


def account_history(account, *, cursor=None, year=None, kind=None, limit=20):
    """One page of `account`'s entries, newest first, after `cursor`. One query.

    Keyset pagination on the entry id, so a page costs the same however deep it is
    and entries posted meanwhile never shift or repeat a page. The query is written
    out: it runs for every history page and API call, and building it through the ORM
    (three levels of related rows) cost more than running it.
    """
    try:
        limit = max(1, min(int(limit), MAX_PAGE))
    except (TypeError, ValueError):
        raise InvalidInput(code="invalid_limit", field="limit") from None
    # The account as a one-value range, ordered by (account, id): PostgreSQL then walks
    # the (account, id) index. With `account_id = x` it may walk the primary key
    # backwards filtering by account instead, which on the last page (nothing older
    # left to find) reads every older entry of every account.
    filters, params = [], [account.pk, account.pk]
    if cursor not in (None, ""):
        filters.append("e.id < %s")
        params.append(decode_cursor(cursor))
    if kind not in (None, ""):
        if kind not in LedgerTransaction.Kind.values:
            raise InvalidKind(field="kind")
        filters.append("e.kind = %s")
        params.append(kind)
    if year not in (None, ""):
        start, end = _year_bounds(year)
        filters.append("e.posted_at >= %s AND e.posted_at < %s")
        params += [start, end]
    rows = list(LedgerEntry.objects.raw(_history_sql(filters), [*params, limit + 1]))
    has_more = len(rows) > limit
    rows = [_history_entry(row, account) for row in rows[:limit]]
    next_cursor = encode_cursor(rows[-1].id) if has_more else None
    return HistoryPage(entries=rows, next_cursor=next_cursor, has_more=has_more)


def _related(obj, name):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


# The payer parts of a contribution's line, marked for translation here and translated
# when shown (gettext_noop: the catalogue has them as they read in the calls above).
_PAYER_PARTS = {
    ContributionRate.Payer.EMPLOYER: gettext_noop("employer part"),
    ContributionRate.Payer.EMPLOYEE: gettext_noop("employee part"),
    ContributionRate.Payer.FLEXIBLE: gettext_noop("paid yourself as flexibly employed"),
}


def describe_entry(entry):
    """A plain-words line for one history entry."""
    txn = entry.transaction
    Kind = LedgerTransaction.Kind
    if txn.kind == Kind.CONTRIBUTION:
        contribution = _related(txn, "contribution")
        if contribution is not None:
            # Only the one label shown is translated (this runs for every row of a page).
            part = _PAYER_PARTS.get(contribution.payer)
            part = _(part) if part else contribution.payer
            return _("Monthly contribution for %(month)s (%(part)s)") % {
                "month": f"{contribution.month:%Y-%m}",
                "part": part,
            }
        return _("Monthly contribution")
    if txn.kind == Kind.SETTLEMENT:
        settlement = _related(txn, "settlement")
        if settlement is not None:
            if settlement.institution.kind == Institution.Kind.HOSPITAL:
                text = _("Hospital purchase at %(institution)s")
            else:
                text = _("Pharmacy purchase at %(institution)s")
            return text % {"institution": settlement.institution.name}
        return _("Pharmacy/hospital purchase")
    if txn.kind == Kind.PAYOUT:
        cardholder = _related(entry.account, "cardholder") if entry.account_id else None
        if cardholder is not None and cardholder.life_status == Cardholder.LifeStatus.DECEASED:
            return _("Paid out to the heir's bank account")
        return _("Paid out to your bank account")
    if txn.kind == Kind.PAYOUT_CONFIRMED:
        return _("Payout confirmed by the bank")
    if txn.kind == Kind.INTEREST:
        return _interest_label(txn)
    if txn.kind == Kind.CORRECTION:
        if txn.reverses_id:
            return _("Correction of transaction #%(number)s") % {"number": txn.reverses_id}
        return _("Correction")
    return txn.description or str(txn.get_kind_display())


_INTEREST_RATE = re.compile(r" at ([0-9.]+) %")
_INTEREST_MONTHS = re.compile(r"January to month ([0-9]+)")
_INTEREST_LATEST = re.compile(r"latest published rate \(([0-9]{4})\)")


def _interest_label(txn):
    """The interest row in the reader's language, from the year (its reference) and the
    rate, months and rate year the posting recorded."""
    year = txn.reference.removeprefix("interest-")
    rate = _INTEREST_RATE.search(txn.description)
    months = _INTEREST_MONTHS.search(txn.description)
    latest = _INTEREST_LATEST.search(txn.description)
    params = {"year": year, "rate": rate.group(1) if rate else "?"}
    if months:
        params["month"] = months.group(1)
        text = _("Interest for %(year)s, January to month %(month)s, at %(rate)s %%") % params
    else:
        text = _("Interest for %(year)s at %(rate)s %%") % params
    if latest:
        text += " " + _("(the latest published rate, for %(year)s)") % {"year": latest.group(1)}
    return text


# --- contributions -----------------------------------------------------------


def _check_scheme(scheme):
    if scheme not in (None, "") and scheme not in Scheme.values:
        raise UnknownScheme(field="scheme")


def contribution_history(cardholder, *, scheme=None, year=None):
    """Month by month per scheme, newest month first: what was paid and where it went.

    One query; each row sums every payer of that month and scheme.
    """
    _check_scheme(scheme)
    rows = Contribution.objects.filter(cardholder=cardholder)
    if scheme:
        rows = rows.filter(scheme=scheme)
    if year not in (None, ""):
        start, _end = _year_bounds(year)
        rows = rows.filter(month__gte=date(start.year, 1, 1), month__lt=date(start.year + 1, 1, 1))
    grouped = (
        rows.order_by()
        .values("month", "scheme")
        .annotate(
            employer_name=Max("employer__name"),
            wage_base=Max("wage_base"),
            to_pooled=Sum("to_pooled"),
            to_personal=Sum("to_personal"),
        )
    )
    result = []
    for row in grouped:
        to_pooled = Decimal(row["to_pooled"]).quantize(Decimal("0.01"))
        to_personal = Decimal(row["to_personal"]).quantize(Decimal("0.01"))
        result.append(
            {
                "month": row["month"],
                "scheme": row["scheme"],
                "scheme_label": str(Scheme(row["scheme"]).label),
                "employer": row["employer_name"] or "",
                "wage_base": Decimal(row["wage_base"]).quantize(Decimal("0.01")),
                "to_pooled": to_pooled,
                "to_personal": to_personal,
                "total": to_pooled + to_personal,
            }
        )
    result.sort(key=lambda r: (-r["month"].toordinal(), SCHEME_ORDER[r["scheme"]]))
    return result


def contribution_years(cardholder):
    """The years with any contribution, newest first. One query."""
    return [
        day.year
        for day in Contribution.objects.filter(cardholder=cardholder).dates(
            "month", "year", order="DESC"
        )
    ]


def record_years(cardholder):
    """The years with a record: a contribution or any money in or out. Only these have
    a statement. Newest first; two queries (years in the project's time zone)."""
    moved = LedgerEntry.objects.filter(account__cardholder=cardholder).datetimes(
        "posted_at", "year"
    )
    years = set(contribution_years(cardholder)) | {day.year for day in moved}
    return sorted(years, reverse=True)


# --- chart and statement -----------------------------------------------------


def _month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def _months_back(today, months):
    """The first day of each of the last `months` months, oldest first, ending this month."""
    result = []
    year, month = today.year, today.month
    for _i in range(months):
        result.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return result[::-1]


def personal_balance_series(cardholder, months=24):
    """Month-end personal balances per scheme for the last `months` months. One query.

    Each month takes the balance after its last entry; a month without entries
    carries the previous one forward.
    """
    months = max(1, min(int(months), 600))
    tz = _local_tz()
    today = timezone.localdate(timezone=tz)
    firsts = _months_back(today, months)
    start = datetime(firsts[0].year, firsts[0].month, 1, tzinfo=tz)
    personal = Q(
        account__cardholder=cardholder,
        account__kind=Account.Kind.PERSONAL,
    )
    in_window = (
        LedgerEntry.objects.filter(personal, posted_at__gte=start)
        .annotate(month=TruncMonth("posted_at", tzinfo=tz))
        .order_by()
        .values("account_id", "month")
        .annotate(last=Max("id"))
        .values("last")
    )
    before = (
        LedgerEntry.objects.filter(personal, posted_at__lt=start)
        .order_by()
        .values("account_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    # One IN over the UNION of both id sets: `IN (a) OR IN (b)` makes PostgreSQL test
    # every entry of the ledger against both sets instead of fetching the few ids.
    rows = LedgerEntry.objects.filter(id__in=in_window.union(before)).values_list(
        "account__scheme", "posted_at", "balance_after", "id"
    )
    last_by_month = {}
    carry = {}
    for scheme, posted_at, balance_after, _id in sorted(rows, key=lambda r: r[3]):
        local = timezone.localtime(posted_at, tz)
        if local < start:
            carry[scheme] = balance_after
        else:
            last_by_month[(scheme, date(local.year, local.month, 1))] = balance_after
    series = {}
    for scheme in PERSONAL_SCHEMES:
        scheme = scheme.value
        value = carry.get(scheme, ZERO)
        points = []
        for first in firsts:
            value = last_by_month.get((scheme, first), value)
            points.append((_month_end(first.year, first.month), value))
        series[scheme] = points
    return series


def annual_statement(cardholder, year):
    """Everything a yearly statement shows for `year`, in a fixed number of queries:
    opening and closing balance of every account, money in and out, contributions by
    month and scheme, settlement and payout totals."""
    start, end = _year_bounds(year)
    accounts = list(Account.objects.filter(cardholder=cardholder).order_by("id"))
    entries = LedgerEntry.objects.filter(account__cardholder=cardholder).order_by()
    opening_ids = entries.filter(posted_at__lt=start).values("account_id").annotate(m=Max("id"))
    closing_ids = entries.filter(posted_at__lt=end).values("account_id").annotate(m=Max("id"))
    balances = LedgerEntry.objects.filter(
        Q(id__in=opening_ids.values("m")) | Q(id__in=closing_ids.values("m"))
    ).values_list("account_id", "posted_at", "balance_after")
    opening, closing = {}, {}
    for account_id, posted_at, balance_after in balances:
        if posted_at < start:
            # Both ids may be the same entry when nothing moved during the year.
            opening[account_id] = balance_after
            closing.setdefault(account_id, balance_after)
        else:
            closing[account_id] = balance_after
    movements = {}
    for account_id, kind, credits, debits in (
        entries.filter(posted_at__gte=start, posted_at__lt=end)
        .values("account_id", "kind")
        .annotate(
            credits=Sum("amount", filter=Q(amount__gt=0)),
            debits=Sum("amount", filter=Q(amount__lt=0)),
        )
        .values_list("account_id", "kind", "credits", "debits")
    ):
        movements.setdefault(account_id, {})[kind] = (credits or ZERO, -(debits or ZERO))

    Kind = LedgerTransaction.Kind
    # The rate of the year, or else the latest published (a payout credits at it).
    rates = rate_table(start.year, [cardholder.region], latest=True)
    rows = []
    settlements_total = payouts_total = ZERO
    for account in accounts:
        moved = movements.get(account.id, {})
        interest_rate = None
        if account.kind == Account.Kind.PERSONAL:
            interest_rate = rates.get((cardholder.region, account.scheme))
        credits = sum((c for c, _d in moved.values()), ZERO)
        debits = sum((d for _c, d in moved.values()), ZERO)
        settlements_total += moved.get(Kind.SETTLEMENT, (ZERO, ZERO))[1]
        payouts_total += moved.get(Kind.PAYOUT, (ZERO, ZERO))[1]
        rows.append(
            {
                "account": account,
                "account_id": account.id,
                "scheme": account.scheme,
                "kind": account.kind,
                "status": account.status,
                "opening": Decimal(opening.get(account.id, ZERO)),
                "closing": Decimal(closing.get(account.id, ZERO)),
                "credits": credits,
                "debits": debits,
                "interest": moved.get(Kind.INTEREST, (ZERO, ZERO))[0],
                "interest_rate": interest_rate,
            }
        )
    rows.sort(key=lambda r: (SCHEME_ORDER.get(r["scheme"], 99), r["kind"] != "personal"))

    contributions = contribution_history(cardholder, year=start.year)
    contributions.sort(key=lambda r: (r["month"], SCHEME_ORDER[r["scheme"]]))
    totals = {}
    for row in contributions:
        pooled, personal = totals.get(row["scheme"], (ZERO, ZERO))
        totals[row["scheme"]] = (pooled + row["to_pooled"], personal + row["to_personal"])
    return {
        "year": start.year,
        "cardholder": cardholder,
        "accounts": rows,
        "contributions": contributions,
        "contribution_totals": {
            scheme: {"to_pooled": pooled, "to_personal": personal, "total": pooled + personal}
            for scheme, (pooled, personal) in sorted(
                totals.items(), key=lambda item: SCHEME_ORDER[item[0]]
            )
        },
        "contributions_total": sum((row["total"] for row in contributions), ZERO),
        "settlements_total": settlements_total,
        "payouts_total": payouts_total,
    }


# --- after a death -------------------------------------------------------------------


@dataclass
class SettlementsToRecover:
    settlements: list
    total: Decimal


def settlements_to_recover(cardholder):
    """Medical purchases settled from a deceased cardholder's account on days after the
    date of death: posted before the death was verified (since then the card is
    refused), so the money went out wrongly and is to be recovered. Staff only.
    Empty unless the death is on record."""
    if cardholder.life_status != Cardholder.LifeStatus.DECEASED or not cardholder.date_of_death:
        return SettlementsToRecover([], ZERO)
    day_after = cardholder.date_of_death + timedelta(days=1)
    since = datetime(day_after.year, day_after.month, day_after.day, tzinfo=_local_tz())
    rows = list(
        Settlement.objects.filter(cardholder=cardholder, created_at__gte=since)
        .select_related("institution")
        .order_by("created_at", "id")
    )
    return SettlementsToRecover(rows, sum((row.amount for row in rows), ZERO))


# --- an applicant's own identity -------------------------------------------------------


@dataclass(frozen=True)
class ApplicantIdentity:
    """Who an applicant said they are at registration: the name as on their ID card
    and their own ID number (masked; staff compare the full number through
    `same_id_number`, never by reading it). A claim's payee must bear this name, and
    the reviewer checks the applicant-ID document against it."""

    user_id: int
    name: str
    masked_national_id: str
    national_id_digest: str

    def same_name(self, other):
        """Is `other` (a payee's name, say) this name, up to spacing and case?"""
        return _normalised_name(other) == _normalised_name(self.name) != ""


def _normalised_name(name):
    return " ".join(str(name or "").split()).casefold()


def applicant_identity(user):
    """The identity `user` registered with, or None for a login without one (staff)."""
    from accounts.pii import id_digest
    from accounts.validators import mask_national_id

    if user is None or not getattr(user, "pk", None):
        return None
    number = user.national_id
    if not number:
        return None
    return ApplicantIdentity(
        user_id=user.pk,
        name=" ".join((user.first_name or "").split()),
        masked_national_id=mask_national_id(number),
        national_id_digest=id_digest(number),
    )


def retired_contribution_rules():
    """Every region's rule for the retired, {region: may continue as flexibly employed};
    read once by bulk callers and passed to `retired_may_continue`."""
    return dict(RetiredContributionRule.objects.values_list("region", "may_continue_flexible"))


def retired_may_continue(region, rules=None):
    """May a retired person of `region` keep contributing as flexibly employed? The
    region's own rule, else the national one, else no (SIL Art. 16)."""
    if rules is None:
        rules = dict(
            RetiredContributionRule.objects.filter(region__in=(region, NATIONAL)).values_list(
                "region", "may_continue_flexible"
            )
        )
    return rules.get(region, rules.get(NATIONAL, False))


def employer_for_user(user):
    """The employer this login acts for, or None (cardholders, heirs, staff)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from accounts.models import EmployerLogin

    link = EmployerLogin.objects.select_related("employer").filter(user_id=user.pk).first()
    return link.employer if link is not None else None
