"""People's names as on the ID card, and how a typed name is compared with them.

A cardholder's name is stored as on the ID card (Chinese characters); an optional
romanised name is shown on English pages. A typed name matches after Unicode NFKC
normalisation (full-width letters become ordinary ones), with all spaces removed and
case ignored, against either form: 王芳, "王 芳", "wang fang" and "ＷａｎｇＦａｎｇ" all
find 王芳 / Wang Fang.
"""

import unicodedata

from django.utils import translation


def normalise_name(name) -> str:
    """NFKC, no whitespace at all, case-folded."""
    text = unicodedata.normalize("NFKC", str(name or ""))
    return "".join(text.split()).casefold()


def names_match(typed, *names) -> bool:
    """Whether ``typed`` is one of ``names`` (blank names never match)."""
    wanted = normalise_name(typed)
    return bool(wanted) and any(wanted == normalise_name(name) for name in names if name)


def display_name(name: str, romanised: str = "", language: str | None = None) -> str:
    """The romanised name when the reader's language is English and there is one."""
    language = language or translation.get_language() or ""
    if romanised and language.lower().startswith("en"):
        return romanised
    return name
