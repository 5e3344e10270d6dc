"""Who may apply for a training course, rule by rule (no database)."""

from datetime import date, timedelta

from benefits import training_rules as rules

TODAY = date(2026, 12, 3)


def codes(**overrides):
    values = {
        "registered": True,
        "listed": True,
        "starts_on": TODAY + timedelta(days=1),
        "ends_on": TODAY + timedelta(days=30),
        "places": 2,
        "places_taken": 1,
        "already_applied": "",
        "today": TODAY,
    }
    values.update(overrides)
    return rules.decide(rules.Facts(**values)).codes


def test_allowed():
    assert codes() == ()


def test_refusals_each_with_its_code():
    assert codes(registered=False) == ("not_registered",)
    assert codes(places_taken=2) == ("course_full",)
    assert codes(starts_on=TODAY) == ("course_started",)
    assert codes(starts_on=TODAY - timedelta(days=40), ends_on=TODAY - timedelta(days=1)) == (
        "course_ended",
    )
    assert codes(already_applied="VT-2026-000001") == ("already_applied",)
    assert codes(listed=False) == ("course_not_listed",)


def test_reasons_name_a_basis():
    decision = rules.decide(rules.Facts(False, True, TODAY, TODAY, 1, 1, "VT-1", TODAY))
    assert set(decision.codes) == {
        "not_registered",
        "course_started",
        "course_full",
        "already_applied",
    }
    assert all(r.legal_basis for r in decision.reasons) and decision.how_to_contest
