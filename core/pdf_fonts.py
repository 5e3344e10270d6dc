"""The font every PDF is set in: Noto Sans SC, embedded (as a subset) in each file.

The font comes from a Python package in requirements.txt (``justmytype-intl-cjk``,
Google Fonts' Noto Sans SC), so no system font is needed. That package ships a variable
font whose default instance is the thinnest weight; reportlab draws only a variable
font's default outlines, so the Regular weight is cut from it once with fontTools and
kept under ``var/fonts`` (``python manage.py prepare_pdf_font`` does it ahead of time,
``make run`` and ``make test`` call that; otherwise the first PDF does it).
"""

import logging
import os
import tempfile
import threading
from importlib.resources import files
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "NotoSansSC"
REGULAR_WEIGHT = 400
_PACKAGE = "justmytype_intl_cjk"
_VARIABLE_FONT = ("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")

_lock = threading.Lock()


def regular_font_path():
    return Path(settings.VAR_DIR) / "fonts" / "NotoSansSC-Regular.ttf"


def _variable_font_path():
    return Path(str(files(_PACKAGE).joinpath(*_VARIABLE_FONT)))


def prepare():
    """The Regular instance's path, cutting it from the variable font if not yet done.
    Written to a temporary file and renamed, so a reader never sees half a font."""
    target = regular_font_path()
    if target.exists():
        return target
    from fontTools.ttLib import TTFont as FontFile
    from fontTools.varLib import instancer

    # fontTools reports each table it touches at INFO: nothing anyone needs to read.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    target.parent.mkdir(parents=True, exist_ok=True)
    variable = FontFile(str(_variable_font_path()))
    regular = instancer.instantiateVariableFont(variable, {"wght": REGULAR_WEIGHT})
    # The cut keeps the default instance's names ("Thin"); name it for what it is.
    names = regular["name"]
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName("Noto Sans SC Regular", 4, 3, 1, 0x409)
    names.setName("NotoSansSC-Regular", 6, 3, 1, 0x409)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".ttf.part")
    os.close(handle)
    try:
        regular.save(temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def register():
    """Make FONT known to reportlab (once per process)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    with _lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(prepare())))
