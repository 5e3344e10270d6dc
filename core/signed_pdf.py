"""A signed verification code inside a PDF: printed with a QR code, and in its metadata.

The printed code and QR code let a person check a paper copy at ``/verify/<code>/``;
the metadata entry lets ``manage.py verify_document`` check a file offline.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from io import BytesIO
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from core import pdf_fonts

METADATA_KEY = "/SscardVerification"


def qr_drawing(text: str, size: float = 32 * mm) -> Drawing:
    widget = QrCodeWidget(text, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    # The QR code draws no text, but reportlab sets a font for every drawing: make it
    # the embedded one, so the file names no font it does not carry.
    drawing.initialFontName = pdf_fonts.FONT
    drawing.add(widget)
    return drawing


def verification_block(code: str, verify_base: str, explanation: str, style) -> Table:
    """The QR code of ``<verify_base><code>/`` beside the explanation and the code."""
    lines = "<br/>".join(code[i : i + 64] for i in range(0, len(code), 64))
    text = Paragraph(f"{escape(explanation)} {escape(verify_base)}<br/>{lines}", style)
    table = Table([[qr_drawing(f"{verify_base}{code}/"), text]], colWidths=[36 * mm, 134 * mm])
    table.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), pdf_fonts.FONT)]
        )
    )
    return table


def embed_code(pdf: bytes, code: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    writer.add_metadata({METADATA_KEY: code})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def read(pdf: bytes) -> tuple[str, str]:
    """The embedded code and the document's text; ``("", text)`` when there is no code."""
    reader = PdfReader(BytesIO(pdf))
    code = str((reader.metadata or {}).get(METADATA_KEY, "") or "")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return code, text


def amounts_in(text: str) -> set[Decimal]:
    """Every amount written in the text (``¥71,299.30`` -> 71299.30)."""
    found = set()
    for match in re.finditer(r"-?\d[\d,]*\.\d{2}", text):
        try:
            found.add(Decimal(match.group().replace(",", "")))
        except InvalidOperation:
            continue
    return found
