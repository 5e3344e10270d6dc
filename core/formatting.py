"""Money and dates as a reader of each language expects them, in one place.

Pages, PDFs, e-mails, CSV files and the admin all call these functions (templates
through the filters in ``core.templatetags.formatting``), so one amount or one moment
reads the same everywhere:

    zh-hans  ¥71,299.30   2026年12月2日 09:04   2026年12月2日   2026年12月
    en       ¥71,299.30   2 December 2026, 09:04   2 December 2026   December 2026

The language is the active one unless named; aware datetimes are shown in the
project's time zone.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone, translation

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CENT = Decimal("0.01")


def _is_chinese(language):
    language = (language or translation.get_language() or "zh-hans").lower()
    return language.startswith("zh")


def money(value, language=None):
    """``¥71,299.30``: yuan sign, thousands separators, two decimals (half up);
    a negative amount as ``-¥12.50``; None or an unreadable value as an empty string."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def amount(value, language=None):
    """``71,299.30``: the grouped figure without the sign, for a sentence that names
    the currency in words ("71,299.30 yuan", "71,299.30元")."""
    return money(value, language).replace("¥", "")


def money_plain(value):
    """``71299.30``: the amount for a machine-read column (CSV, bank files)."""
    if value is None or value == "":
        return ""
    return str(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date_text(value, language=None):
    """``2026年12月2日`` / ``2 December 2026``; also from an API's ``2026-12-02``, which
    is passed through unchanged when it is not a date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    value = _local(value)
    if _is_chinese(language):
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def datetime_text(value, language=None):
    """``2026年12月2日 09:04`` / ``2 December 2026, 09:04``; a plain date as a date."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return date_text(value, language)
    value = _local(value)
    clock = f"{value.hour:02d}:{value.minute:02d}"
    separator = " " if _is_chinese(language) else ", "
    return f"{date_text(value, language)}{separator}{clock}"


def month_text(value, language=None):
    """``2026年12月`` / ``December 2026``; also from an API's ``2026-12`` (or a date's
    ``2026-12-02``), which is passed through unchanged when it is not one."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(f"{value[:7]}-01")
        except ValueError:
            return value
    value = _local(value)
    if _is_chinese(language):
        return f"{value.year}年{value.month}月"
    return f"{_MONTHS_EN[value.month - 1]} {value.year}"
