"""States said once: every state set is derived from the transitions table, and the
timeline stores codes that are rendered in the reader's language."""

import pytest
from django.utils import translation

from casework import notes
from tests.factories import death_claim
from withdrawals import admin_views, services
from withdrawals.models import (
    CLAIMING_STATES,
    CONTEST,
    RESOLVE_CONTEST,
    WORKFLOW,
    Status,
)

S = Status


def test_the_state_sets_come_from_the_table():
    assert WORKFLOW.editable_states == (S.DRAFT, S.NEEDS_DOCUMENTS)
    assert WORKFLOW.withdrawable_states == (
        S.DRAFT,
        S.SUBMITTED,
        S.IN_REVIEW,
        S.NEEDS_DOCUMENTS,
        S.AWAITING_DECISION,
        S.CONTESTED,
    )
    assert WORKFLOW.review_states == (S.SUBMITTED, S.IN_REVIEW)
    assert set(WORKFLOW.decided_states) == {
        S.APPROVED,
        S.PAID,
        S.PAYOUT_FAILED,
        S.REJECTED,
        S.WITHDRAWN,
    }
    assert set(WORKFLOW.final_states) == {S.PAID, S.REJECTED, S.WITHDRAWN}
    assert WORKFLOW.open_states == (
        S.SUBMITTED,
        S.IN_REVIEW,
        S.NEEDS_DOCUMENTS,
        S.AWAITING_DECISION,
        S.CONTESTED,
    )
    # A contested claim holds its accounts, only staff release it, and it is not in
    # the review queue's SLA.
    assert CLAIMING_STATES == (
        S.SUBMITTED,
        S.IN_REVIEW,
        S.NEEDS_DOCUMENTS,
        S.AWAITING_DECISION,
        S.APPROVED,
        S.PAID,
        S.PAYOUT_FAILED,
        S.CONTESTED,
    )
    assert WORKFLOW.sources(CONTEST) == (
        S.SUBMITTED,
        S.IN_REVIEW,
        S.NEEDS_DOCUMENTS,
        S.AWAITING_DECISION,
    )
    assert set(WORKFLOW.targets(RESOLVE_CONTEST)) == {*WORKFLOW.sources(CONTEST), S.REJECTED}
    assert WORKFLOW.queue_states == (S.SUBMITTED, S.IN_REVIEW, S.AWAITING_DECISION)


def test_the_admin_buttons_are_offered_where_the_table_allows_their_action():
    offered = {name: set(action.states) for name, action in admin_views.ACTIONS.items()}
    assert offered["request_documents"] == {S.IN_REVIEW, S.AWAITING_DECISION}
    assert offered["reject"] == {S.IN_REVIEW, S.NEEDS_DOCUMENTS, S.AWAITING_DECISION}
    assert offered["approve"] == {S.AWAITING_DECISION}
    assert offered["mark_payout_failed"] == {S.APPROVED}
    assert offered["requeue_payout"] == {S.PAYOUT_FAILED}
    # Facts are verified on an open claim, not while the person named contests it.
    assert offered["verify_death"] == set(WORKFLOW.open_states) - {S.CONTESTED}
    assert offered["verify_applicant"] == set(WORKFLOW.open_states)
    assert offered["resolve_contest"] == {S.CONTESTED}


@pytest.mark.django_db
def test_a_timeline_note_is_stored_as_a_code_and_shown_in_the_readers_language():
    application = death_claim()
    services.application_submit(application, actor=application.applicant)
    event = application.events.get(new_status=S.SUBMITTED)
    assert (event.note_code, event.note_params) == (notes.SUBMITTED, {})
    with translation.override("en"):
        english = event.note
    with translation.override("zh-hans"):
        chinese = event.note
    assert english == "Submitted for review."
    assert chinese == "已提交审核。"


@pytest.mark.django_db
def test_typed_text_stays_as_typed_whatever_the_language():
    event = services.application_record_note(
        death_claim().pk, note=notes.free_text("电话联系过申请人")
    )
    with translation.override("en"):
        assert event.note == "电话联系过申请人"
    assert notes.render("no_such_code", {"text": "kept"}) == "kept"
