"""A replacement card: asked for by the cardholder, checked by one staff member and
issued by another; the old number is cancelled in the history and refused at
settlement from then on; a dead or emigrated person's cancelled card is never replaced."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from accounts import services
from accounts.exceptions import CardNotReplaceable, CardReplaced, InvalidInput
from accounts.models import Cardholder, CardStatusChange, ReplacedCardNumber
from cards import services as cards
from cards.exceptions import ReplacementRefused
from cards.models import CardReplacement
from casework.exceptions import SamePerson
from tests.factories import CardholderFactory, InstitutionFactory, StaffFactory, UserFactory, fund

pytestmark = pytest.mark.django_db

NEW = "A30000011"


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())
    reviewer = StaffFactory(username="rita")
    reviewer.groups.add(Group.objects.get(name="reviewer"))
    approver = StaffFactory(username="arno")
    approver.groups.add(Group.objects.get(name="approver"))
    return reviewer, approver


@pytest.fixture
def holder(db):
    user = UserFactory(username="hana", email="hana@example.org")
    card = CardholderFactory(user=user, name="Hana", card_number="A30000001")
    fund(card, "medical", "100.00")
    return card


def issued(holder, roles, why="lost"):
    reviewer, approver = roles
    case = cards.replacement_request(applicant=holder.user, why=why)
    cards.replacement_verify(case, actor=reviewer)
    return cards.replacement_issue(case, actor=approver, new_card_number=NEW)


def test_a_lost_card_is_blocked_at_once_and_the_request_waits_for_staff(holder):
    case = cards.replacement_request(applicant=holder.user, why="lost")
    holder.refresh_from_db()
    assert holder.card_status == Cardholder.CardStatus.REPORTED_LOST
    assert case.status == "submitted" and case.reference.startswith("CR-")
    assert case.old_card_number == "A30000001"


def test_issuing_cancels_the_old_number_and_the_history_shows_it(
    holder, roles, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = issued(holder, roles)
    holder.refresh_from_db()
    assert (holder.card_number, holder.card_status) == (NEW, "active")
    assert case.status == "issued" and case.new_card_number == NEW
    latest = CardStatusChange.objects.filter(cardholder=holder).first()
    assert (latest.reason, latest.from_status, latest.to_status, latest.card_number) == (
        "replaced",
        "reported_lost",
        "active",
        "A30000001",
    )
    assert ReplacedCardNumber.objects.get(card_number="A30000001").replaced_by == NEW
    assert any("is issued" in message.body for message in mail.outbox)


def test_settlements_with_the_old_number_are_refused_and_the_new_one_pays(holder, roles):
    issued(holder, roles)
    pharmacy = InstitutionFactory()
    with pytest.raises(CardReplaced) as refused:
        services.settlement_create(
            institution=pharmacy,
            card_number="A30000001",
            amount="10.00",
            description="tablets",
            idempotency_key="old-1",
        )
    assert refused.value.code == "card_replaced"
    settlement, created = services.settlement_create(
        institution=pharmacy,
        card_number=NEW,
        amount="10.00",
        description="tablets",
        idempotency_key="new-1",
    )
    assert created and settlement.cardholder_id == holder.pk


def test_the_issuer_is_not_the_one_who_checked(holder, roles):
    reviewer, _approver = roles
    reviewer.groups.add(Group.objects.get(name="approver"))
    case = cards.replacement_request(applicant=holder.user, why="damaged")
    cards.replacement_verify(case, actor=reviewer)
    with pytest.raises(SamePerson):
        cards.replacement_issue(case, actor=reviewer, new_card_number=NEW)


@pytest.mark.parametrize(
    ("number", "code"),
    [("A3000001", "card_number_malformed"), ("130000011", "card_number_malformed")],
)
def test_a_malformed_number_is_refused(holder, roles, number, code):
    reviewer, approver = roles
    case = cards.replacement_request(applicant=holder.user, why="damaged")
    cards.replacement_verify(case, actor=reviewer)
    with pytest.raises(InvalidInput) as refused:
        cards.replacement_issue(case, actor=approver, new_card_number=number)
    assert (refused.value.code, refused.value.field) == (code, "new_card_number")
    assert CardReplacement.objects.get(pk=case.pk).status == "submitted"


def test_a_number_in_use_or_cancelled_is_never_issued_again(holder, roles):
    CardholderFactory(card_number="A30000099")
    reviewer, approver = roles
    case = cards.replacement_request(applicant=holder.user, why="damaged")
    cards.replacement_verify(case, actor=reviewer)
    for taken in ("A30000099", "a3000 0001"):
        with pytest.raises(InvalidInput) as refused:
            cards.replacement_issue(case, actor=approver, new_card_number=taken)
        assert refused.value.code == "card_number_taken"


def test_a_cancelled_card_is_not_replaced(holder, roles):
    services.card_cancel_on_death(cardholder=holder)
    with pytest.raises(ReplacementRefused) as refused:
        cards.replacement_request(applicant=holder.user, why="lost")
    assert refused.value.code == "replacement_card_cancelled"
    with pytest.raises(CardNotReplaceable) as direct:
        services.card_replace(cardholder=holder, new_card_number=NEW, actor=roles[1])
    assert direct.value.code == "card_not_replaceable"


def test_one_open_request_at_a_time(holder):
    cards.replacement_request(applicant=holder.user, why="lost")
    with pytest.raises(ReplacementRefused) as refused:
        cards.replacement_request(applicant=holder.user, why="lost")
    assert refused.value.code == "replacement_request_open"


def test_a_refusal_names_the_rule_its_basis_and_how_to_contest(
    holder, roles, django_capture_on_commit_callbacks
):
    reviewer, _approver = roles
    case = cards.replacement_request(applicant=holder.user, why="damaged")
    with django_capture_on_commit_callbacks(execute=True):
        cards.replacement_reject(
            case,
            actor=reviewer,
            code="replacement_identity_not_confirmed",
            reason="The photo does not match.",
        )
    body = next(m.body for m in mail.outbox if "not issued" in m.body)
    assert "replacement_identity_not_confirmed" in body
    assert "Ren She Bu Fa [2011] No. 47), Art. 16 (4)" in body
    assert "administrative reconsideration" in body and "The photo does not match." in body
    holder.refresh_from_db()
    assert holder.card_number == "A30000001"
