"""Timeline notes keep ISO dates and plain amounts as parameters and show them in the
reader's style."""

from django.utils import translation

from casework import notes
from workinjury import notes as injury_notes


def test_a_death_at_work_note_reads_money_and_a_date_in_each_language():
    params = {
        "funeral": "60000.00",
        "subsidy": "1080000.00",
        "pensions": "4363.65",
        "start": "2026-07-01",
    }
    with translation.override("en"):
        text = notes.render(injury_notes.WORK_DEATH_APPROVED, params)
    assert "¥60,000.00" in text and "¥1,080,000.00" in text and "1 July 2026" in text
    with translation.override("zh-hans"):
        text = notes.render(injury_notes.WORK_DEATH_APPROVED, params)
    assert "¥4,363.65" in text and "2026年7月1日" in text and "2026-07-01" not in text


def test_a_value_that_is_not_a_date_or_an_amount_is_shown_as_stored():
    assert notes.iso_date("soon") == "soon"
    assert notes.money("n/a") == "n/a"
