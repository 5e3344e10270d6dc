"""Reads that the apps built on accounts add to accounts' own pages and API.

accounts imports nothing from the apps above it (kinds -> casework -> accounts ->
core). Where accounts shows something only such an app knows (whether an open claim
holds an account, so that it could not be paid out again), that app provides the read
from its AppConfig.ready and accounts asks through this module.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class AccountRow:
    """One of the caller's own accounts, as the account list shows it."""

    id: int
    scheme: str
    kind: str
    balance: Decimal
    status: str
    # Could it be paid out after a death or emigration? Only a claims app knows.
    withdrawable: bool = False


def _plain_account_rows(user):
    from accounts.selectors import accounts_for_user

    return [
        AccountRow(a.id, a.scheme, a.kind, a.balance, a.status)
        for a in accounts_for_user(user).exclude(kind="system")
    ]


def _no_banner(request):
    return None


@dataclass(frozen=True)
class Banner:
    """A notice at the top of the overview: the template to include and its context.
    A page with a banner is never kept in the cache."""

    template: str
    context: dict


_readers = {"own_account_rows": _plain_account_rows, "dashboard_banner": _no_banner}


def provide_own_account_rows(reader):
    """Answer the account list with `reader(user) -> [AccountRow]` from now on."""
    _readers["own_account_rows"] = reader


def own_account_rows(user):
    """The user's own cardholder accounts (none for heirs and staff), in id order."""
    return _readers["own_account_rows"](user)


_panel_readers = []


def provide_dashboard_panel(reader):
    """Add `reader(request, state) -> Banner | None` to the panels the overview shows
    below the card (e.g. the person's unemployment registration). `state` is the
    overview's `read_models.OverviewState`: a reader answers from it without a query
    when it can, since the overview is otherwise served from the cache. Pages with a
    panel are never kept in the cache."""
    if reader not in _panel_readers:
        _panel_readers.append(reader)


def dashboard_panels(request, state):
    """The panels the overview shows this user now, in the order they were provided."""
    return [panel for reader in _panel_readers if (panel := reader(request, state)) is not None]


def provide_dashboard_banner(reader):
    """Answer the overview's banner with `reader(request) -> Banner | None` from now on."""
    _readers["dashboard_banner"] = reader


def dashboard_banner(request):
    """The banner the overview shows this user now, if any."""
    return _readers["dashboard_banner"](request)


@dataclass(frozen=True)
class RecordLine:
    """A decision about the person that their record shows (e.g. a recognised work
    injury): what, since when, the case's reference."""

    kind: str
    title: str
    on: object  # a date
    reference: str
    detail: str = ""


_record_readers = []


def provide_record_lines(reader):
    """Add `reader(cardholder) -> [RecordLine]` to what "My record" shows."""
    if reader not in _record_readers:
        _record_readers.append(reader)


def record_lines(cardholder):
    return [line for reader in _record_readers for line in reader(cardholder)]


@dataclass(frozen=True)
class CardReplacement:
    """The cardholder's latest request for a replacement card, as the card page and
    `GET /api/v1/me/card/` show it; `can_request` says whether one may be asked for
    now, and `url` where."""

    can_request: bool
    url: str = ""
    reference: str = ""
    status: str = ""
    status_label: str = ""
    requested_at: object = None  # a datetime
    decided_at: object = None
    # Where the request was refused: the reason as the person reads it.
    refusal: object = None


def _no_card_replacement(cardholder):
    return CardReplacement(can_request=False)


_readers["card_replacement"] = _no_card_replacement


def provide_card_replacement(reader):
    """Answer the card page's replacement with `reader(cardholder) -> CardReplacement`."""
    _readers["card_replacement"] = reader


def card_replacement(cardholder):
    return _readers["card_replacement"](cardholder)


# --- events in a person's life that an app above may act on ---------------------------

# Life events: a basic pension starts, a death or a settlement abroad is verified.
PENSION_STARTED = "pension_started"
DECEASED = "deceased"
SETTLED_ABROAD = "settled_abroad"

_life_event_listeners = []
_contribution_listeners = []


def provide_life_event_listener(listener):
    """Call `listener(cardholder_id=…, event=…, on=date, actor=user|None)` inside the
    transaction that records a life event (one of the constants above) from now on."""
    if listener not in _life_event_listeners:
        _life_event_listeners.append(listener)


def life_event(*, cardholder_id, event, on, actor=None):
    """Tell the apps above that `event` happened to the cardholder on `on`."""
    for listener in _life_event_listeners:
        listener(cardholder_id=cardholder_id, event=event, on=on, actor=actor)


def provide_employer_contributions_listener(listener):
    """Call `listener(cardholder_ids)` after a payroll chunk committed employer-paid
    contributions for those cardholders (e.g. to notice that someone found work)."""
    if listener not in _contribution_listeners:
        _contribution_listeners.append(listener)


def employer_contributions_posted(cardholder_ids):
    if not cardholder_ids:
        return
    for listener in _contribution_listeners:
        listener(cardholder_ids)
