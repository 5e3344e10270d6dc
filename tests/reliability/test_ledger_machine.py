"""Contributions, settlements, claims, approvals, rejections, retries and replays in
any order hypothesis finds: the ledger's invariants hold after every single step."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts import services as account_services
from accounts.audit import run_audit
from accounts.exceptions import DomainError, IdempotencyConflict
from accounts.models import Account, LedgerTransaction, Scheme
from tests.factories import (
    CardholderFactory,
    EmployerFactory,
    InstitutionFactory,
    death_claim,
    fund,
    staff_with,
    verify_applicant,
)
from withdrawals import services
from withdrawals.exceptions import AlreadyDecided
from withdrawals.models import Status

MONEY = st.integers(min_value=1, max_value=400_00).map(lambda cents: Decimal(cents) / 100)
MONTHS = st.integers(min_value=1, max_value=4)
WAGES = st.integers(min_value=1000_00, max_value=40000_00).map(lambda cents: Decimal(cents) / 100)


def personal(holder, scheme):
    return Account.objects.get(cardholder=holder, scheme=scheme, kind=Account.Kind.PERSONAL)


def payouts():
    return LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.PAYOUT).count()


class LedgerMachine(RuleBasedStateMachine):
    holders = Bundle("holders")
    claims = Bundle("claims")

    def __init__(self):
        super().__init__()
        self.institution = InstitutionFactory()
        self.employer = EmployerFactory()
        self.verifier = staff_with("verify_life_event", "review_application")
        self.approver = staff_with("approve_application")
        self.settled = {}  # idempotency key -> (card number, amount) of the first request
        self.payouts = payouts()
        self.steps = Counter()

    def new_holder(self, pension, medical):
        holder = CardholderFactory()
        for scheme, amount in ((Scheme.PENSION, pension), (Scheme.MEDICAL, medical)):
            if amount:
                fund(holder, scheme, amount)
        return holder

    @initialize(target=holders, pension=MONEY, medical=MONEY)
    def first_holder(self, pension, medical):
        return self.new_holder(pension, medical)

    @rule(target=holders, pension=st.none() | MONEY, medical=st.none() | MONEY)
    def another_holder(self, pension, medical):
        return self.new_holder(pension, medical)

    @rule(holder=holders, scheme=st.sampled_from(Scheme.values), month=MONTHS, wage=WAGES)
    def contribute(self, holder, scheme, month, wage):
        before = {a.pk: a.balance for a in holder.accounts.all()}
        try:
            account_services.contribution_post(
                cardholder=holder,
                scheme=scheme,
                month=date(2025, month, 1),
                wage=wage,
                employer=self.employer,
            )
            self.steps["contributed"] += 1
        except DomainError:
            self.steps["contribution refused"] += 1
        for account in holder.accounts.all():
            assert account.balance >= before[account.pk]  # a contribution never takes

    @rule(holder=holders, amount=MONEY, key=st.sampled_from(["r1", "r2", "r3", "r4", "r5"]))
    def settle(self, holder, amount, key):
        """A purchase; a key already used is a replay (same body) or a conflict."""
        account = personal(holder, Scheme.MEDICAL)
        before = account.balance
        try:
            settlement, created = account_services.settlement_create(
                institution=self.institution,
                card_number=holder.card_number,
                amount=amount,
                description="",
                idempotency_key=key,
            )
        except IdempotencyConflict:
            assert key in self.settled and self.settled[key] != (holder.card_number, amount)
            self.steps["conflict"] += 1
        except DomainError:
            self.steps["settlement refused"] += 1
        else:
            if created:
                assert key not in self.settled
                self.settled[key] = (holder.card_number, amount)
                account.refresh_from_db()
                assert account.balance == before - amount
                self.steps["settled"] += 1
                return
            assert self.settled[key] == (holder.card_number, amount)
            assert settlement.amount == amount
            self.steps["replayed"] += 1
        account.refresh_from_db()
        assert account.balance == before

    @precondition(lambda self: self.settled)
    @rule(data=st.data())
    def replay_settlement(self, data):
        key = data.draw(st.sampled_from(sorted(self.settled)))
        card, amount = self.settled[key]
        total = Account.objects.filter(kind=Account.Kind.PERSONAL).values_list("balance", flat=True)
        before = sum(total, Decimal(0))
        _settlement, created = account_services.settlement_create(
            institution=self.institution,
            card_number=card,
            amount=amount,
            description="",
            idempotency_key=key,
        )
        assert not created
        total = Account.objects.filter(kind=Account.Kind.PERSONAL).values_list("balance", flat=True)
        assert sum(total, Decimal(0)) == before
        self.steps["replayed"] += 1

    @rule(target=claims, holder=holders)
    def apply(self, holder):
        """An heir's draft with documents, submitted; the document review runs at once."""
        try:
            claim = death_claim(cardholder=holder, pension=None, medical=None)
        except DomainError:
            self.steps["draft refused"] += 1
            return multiple()
        try:
            services.application_submit(claim, actor=claim.applicant)
        except DomainError:
            self.steps["submission refused"] += 1
        claim.refresh_from_db()
        return claim

    @rule(claim=claims)
    def verify(self, claim):
        try:
            services.cardholder_verify_death(
                claim,
                actor=self.verifier,
                date_of_death=date(2026, 1, 3),
                certificate_number=f"DC-9-{claim.cardholder_id}",
            )
            verify_applicant(claim)
            self.steps["verified"] += 1
        except DomainError:
            self.steps["verification refused"] += 1

    @rule(claim=claims, twice=st.booleans())
    def approve(self, claim, twice):
        claim.refresh_from_db()
        try:
            services.application_approve(claim, actor=self.approver)
        except DomainError:
            self.steps["approval refused"] += 1
        else:
            self.payouts += 1
            self.steps["approved"] += 1
            for scheme in claim.schemes:
                account = personal(claim.cardholder, scheme)
                assert (account.balance, account.status) == (Decimal(0), Account.Status.CLOSED)
        if twice:  # a double click or a retried request
            with pytest.raises(DomainError) as refused:
                services.application_approve(claim, actor=self.approver)
            if claim.status == Status.APPROVED:
                assert isinstance(refused.value, AlreadyDecided)
            self.steps["approval retried"] += 1

    @rule(claim=claims)
    def reject(self, claim):
        claim.refresh_from_db()
        try:
            services.application_reject(claim, actor=self.verifier, reason="Not an heir.")
            self.steps["rejected"] += 1
        except DomainError:
            self.steps["rejection refused"] += 1

    def teardown(self):
        print("steps:", dict(self.steps))

    @invariant()
    def ledger_holds(self):
        result = run_audit()
        assert result.ok, [str(v) for v in result.violations]
        assert payouts() == self.payouts  # one payout per successful approval, no more


@pytest.mark.django_db(transaction=True)
def test_ledger_invariants_hold_whatever_the_order():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
