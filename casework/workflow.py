"""A case kind's states and transitions, declared once as data.

Each kind declares its states and its transitions table: rows of (action, from, to).
Every other state set (which states may be edited, withdrawn, reviewed, verified; which
are decided or final; which the staff queue holds) is derived from that table here, so
services, admin buttons, templates and the API all read the same answer.

The generic action names the pipeline knows:

- ``submit``: the applicant sends the case (its sources are where the applicant may
  still change it);
- ``start_review`` / ``finish_review``: the automated document inspection;
- ``request_documents``, ``approve``, ``reject``: staff decisions;
- ``withdraw``: the applicant takes the case back.

A kind may add its own actions (the withdrawal kind adds the payout steps).
"""

from dataclasses import dataclass, field

SUBMIT = "submit"
START_REVIEW = "start_review"
FINISH_REVIEW = "finish_review"
REQUEST_DOCUMENTS = "request_documents"
APPROVE = "approve"
REJECT = "reject"
WITHDRAW = "withdraw"

# Actions that end the applicant's say: after them the case is decided.
CLOSING_ACTIONS = (APPROVE, REJECT, WITHDRAW)


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str


@dataclass(frozen=True)
class Workflow:
    """One case kind: its states (a TextChoices class) and its transitions table."""

    kind: str
    title: str
    states: type
    transitions: tuple
    # The document kinds this kind accepts (a TextChoices class).
    document_kinds: type = None
    # Emails to the applicant: target status -> (Chinese, English) subject; the body is
    # the template `email_template` names with {status}.
    emails: dict = field(default_factory=dict)
    email_template: str = ""
    # function(case) -> extra template context for the emails.
    email_context: object = None
    # The app label whose permissions guard staff actions (e.g. "withdrawals").
    permission_app: str = ""
    # Staff who may read any case of this kind, and open any of its documents.
    read_perms: tuple = ()
    document_perms: tuple = ()
    # What happens next, per status, as told to the applicant (gettext messages).
    next_steps: dict = field(default_factory=dict)
    # The applicant's page of a case: function(case) -> URL, for links from elsewhere.
    applicant_url: object = None
    _by_action: dict = field(default=None, init=False, repr=False, compare=False)
    _rows: frozenset = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        rows = tuple(
            Transition(*row) if not isinstance(row, Transition) else row for row in self.transitions
        )
        object.__setattr__(self, "transitions", rows)
        by_action = {}
        for row in rows:
            if row.source not in self.states.values or row.target not in self.states.values:
                raise ValueError(f"{self.kind}: unknown state in {row}")
            # An action may lead to several states from one source (the caller names
            # which); the first row is the default.
            by_action.setdefault(row.action, {}).setdefault(row.source, row.target)
        object.__setattr__(self, "_by_action", by_action)
        object.__setattr__(self, "_rows", frozenset((r.action, r.source, r.target) for r in rows))

    # --- the table -----------------------------------------------------------------

    @property
    def initial(self):
        return self.states.values[0]

    @property
    def pairs(self):
        """Every allowed (from, to) change of status."""
        return frozenset((row.source, row.target) for row in self.transitions)

    def target(self, action, source, to=None):
        """The state `action` leads to from `source` (`to` where the table has several),
        or None where it is not allowed."""
        if to is not None:
            return to if (action, source, to) in self._rows else None
        return self._by_action.get(action, {}).get(source)

    def sources(self, *actions):
        """The states in which any of `actions` is allowed, in the states' order."""
        allowed = set()
        for action in actions:
            allowed |= set(self._by_action.get(action, {}))
        return self._ordered(allowed)

    def targets(self, *actions):
        found = {row.target for row in self.transitions if row.action in actions}
        return self._ordered(found)

    def allows(self, action, status):
        return self.target(action, status) is not None

    def reachable(self, start):
        """`start` and every state reachable from it."""
        seen = set(start)
        todo = list(start)
        while todo:
            state = todo.pop()
            for row in self.transitions:
                if row.source == state and row.target not in seen:
                    seen.add(row.target)
                    todo.append(row.target)
        return self._ordered(seen)

    def _ordered(self, states):
        return tuple(s for s in self.states.values if s in states)

    # --- derived state sets ----------------------------------------------------------

    @property
    def editable_states(self):
        """The applicant may still change the case (documents, details) where it can
        be submitted from."""
        return self.sources(SUBMIT)

    @property
    def withdrawable_states(self):
        return self.sources(WITHDRAW)

    @property
    def review_states(self):
        """Waiting for the automated document inspection (the sweeper watches these)."""
        return self.sources(START_REVIEW, FINISH_REVIEW)

    @property
    def decided_states(self):
        """A decision was made (approved, rejected, withdrawn) and everything after it."""
        return self.reachable(self.targets(*CLOSING_ACTIONS))

    @property
    def final_states(self):
        """Nothing leads out of these."""
        sources = {row.source for row in self.transitions}
        return self._ordered(set(self.states.values) - sources)

    @property
    def open_states(self):
        """Submitted and not decided yet: staff may verify facts and look at it."""
        submitted = self.reachable(self.targets(SUBMIT))
        return self._ordered(set(submitted) - set(self.decided_states))

    @property
    def queue_states(self):
        """Waiting for the service centre (the staff queue; only these can be overdue).

        A state staff may decide in but where the applicant has the next move (more
        documents asked for) is not the centre's wait.
        """
        deciding = set(self.review_states) | set(self.sources(APPROVE, REJECT))
        return self._ordered(deciding - set(self.editable_states))

    @property
    def notify(self):
        """Target states whose change the applicant is told about."""
        return frozenset(self.emails)

    def perm(self, codename):
        return f"{self.permission_app}.{codename}"

    def label(self, status):
        if status in self.states.values:
            return self.states(status).label
        return str(status or "")

    def document_label(self, kind):
        if self.document_kinds is not None and kind in self.document_kinds.values:
            return self.document_kinds(kind).label
        return str(kind or "")


_REGISTRY = {}
_MODELS = {}


def register(workflow, model=None):
    """Make a kind known to the pipeline (called from the kind's models module)."""
    _REGISTRY[workflow.kind] = workflow
    if model is not None:
        _MODELS[workflow.kind] = model
    return workflow


def get(kind):
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no case kind {kind!r} is registered") from None


def model_for(kind):
    return _MODELS[kind]


def all_workflows():
    return tuple(_REGISTRY.values())


def document_label(kind):
    """The label of a document kind, whichever case kind declares it."""
    for workflow in _REGISTRY.values():
        if workflow.document_kinds is not None and kind in workflow.document_kinds.values:
            return workflow.document_kinds(kind).label
    return str(kind or "")
