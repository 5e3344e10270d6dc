"""Money and dates read the same on every page, PDF, e-mail and admin screen, in the
reader's language."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core import formatting

UTC = ZoneInfo("UTC")
# 01:04 UTC is 09:04 in Asia/Shanghai, the project's time zone.
MOMENT = datetime(2026, 12, 2, 1, 4, tzinfo=UTC)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_is_grouped_with_two_decimals_in_both_languages(language):
    with translation.override(language):
        assert formatting.money(Decimal("71299.3")) == "¥71,299.30"
        assert formatting.money(Decimal("6720")) == "¥6,720.00"
        assert formatting.money(Decimal("0.005")) == "¥0.01"
        assert formatting.money(Decimal("-12.5")) == "-¥12.50"
        assert formatting.money(None) == ""
        assert formatting.amount(Decimal("1234567.8")) == "1,234,567.80"


def test_dates_in_chinese():
    with translation.override("zh-hans"):
        assert formatting.datetime_text(MOMENT) == "2026年12月2日 09:04"
        assert formatting.date_text(date(2026, 12, 2)) == "2026年12月2日"
        assert formatting.month_text(date(2026, 12, 1)) == "2026年12月"


def test_dates_in_english():
    with translation.override("en"):
        assert formatting.datetime_text(MOMENT) == "2 December 2026, 09:04"
        assert formatting.date_text(date(2026, 12, 2)) == "2 December 2026"
        assert formatting.month_text(date(2026, 12, 1)) == "December 2026"


def test_an_api_month_reads_as_a_month_and_anything_else_is_left_alone():
    with translation.override("en"):
        assert formatting.month_text("2026-12") == "December 2026"
        assert formatting.month_text("2026-12-02") == "December 2026"
        assert formatting.month_text("soon") == "soon"
        assert formatting.date_text("2026-12-02") == "2 December 2026"
        assert formatting.date_text("soon") == "soon"
    with translation.override("zh-hans"):
        assert formatting.month_text("2026-03") == "2026年3月"


def test_a_named_language_wins_over_the_active_one():
    with translation.override("en"):
        assert formatting.datetime_text(MOMENT, "zh-hans") == "2026年12月2日 09:04"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "¥71,299.30 · 2026年12月2日 09:04 · 2026年12月2日 · 71,299.30"),
        ("en", "¥71,299.30 · 2 December 2026, 09:04 · 2 December 2026 · 71,299.30"),
    ],
)
def test_the_filters_are_in_every_template_without_a_load(language, expected):
    template = Template("{{ a|money }} · {{ t|when }} · {{ d|day }} · {{ a|amount }}")
    context = Context({"a": Decimal("71299.30"), "t": MOMENT, "d": date(2026, 12, 2)})
    with translation.override(language):
        assert template.render(context) == expected
