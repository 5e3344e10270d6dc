"""The annual statement as a PDF, drawn with reportlab.

Text is set in Noto Sans SC (`core.pdf_fonts`), embedded in the file, so Chinese and
Latin text look the same in every reader, with or without its own CJK fonts.
"""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from core import formatting, pdf_fonts, signed_pdf, signing

FONT = pdf_fonts.FONT
BRAND = colors.HexColor("#0b4a7f")


def register_font():
    pdf_fonts.register()


def _money(value):
    return formatting.money(value)


def styles_sheet():
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, textColor=BRAND),
        "h2": ParagraphStyle(
            "h2", fontName=FONT, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14),
        "small": ParagraphStyle(
            "small", fontName=FONT, fontSize=8, leading=11, textColor=colors.HexColor("#4a5360")
        ),
    }


def fact_table(rows, widths, header_rows=1, footer_rows=0):
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 11),
        ("LINEBELOW", (0, header_rows), (-1, -1), 0.25, colors.HexColor("#dde2e7")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        last = header_rows - 1
        style.append(("BACKGROUND", (0, 0), (-1, last), colors.HexColor("#eef1f4")))
        style.append(("LINEBELOW", (0, last), (-1, last), 1, colors.HexColor("#b7bfc8")))
    if footer_rows:
        style.append(
            ("LINEABOVE", (0, -footer_rows), (-1, -footer_rows), 1, colors.HexColor("#b7bfc8"))
        )
    table.setStyle(TableStyle(style))
    return table


def statement_facts(data):
    """What the verification code signs: who, which year, when issued, the year-end
    balances and the contributions total, as printed."""
    cardholder = data["cardholder"]
    amounts = {
        f"{row['scheme']}/{row['kind']}": f"{row['closing']:.2f}" for row in data["accounts"]
    }
    amounts["contributions"] = f"{data['contributions_total']:.2f}"
    return {
        "doc": "annual_statement",
        "year": int(data["year"]),
        "name": signing.mask_name(cardholder.name),
        "national_id": cardholder.masked_national_id,
        "issued": f"{data['issued']:%Y-%m-%d}",
        "amounts": amounts,
    }


def render_statement_pdf(data, verify_base="/verify/"):
    """PDF bytes of the statement built by the view from `selectors.annual_statement`,
    signed: its code is printed with a QR code pointing at ``verify_base`` and kept in
    the file's metadata for offline checks."""
    register_font()
    styles = styles_sheet()
    buffer = BytesIO()
    year = str(data["year"])
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Annual statement %(year)s") % {"year": year},
        author=_("Social Security Card Self-Service"),
        # Not Helvetica, reportlab's default: every font in the file is embedded.
        initialFontName=FONT,
    )
    cardholder = data["cardholder"]
    story = [
        Paragraph(_("Social Security Card Self-Service"), styles["small"]),
        Paragraph(_("Annual statement %(year)s") % {"year": year}, styles["title"]),
        Spacer(1, 4 * mm),
        fact_table(
            [
                [_("Name"), cardholder.name],
                [_("ID number"), cardholder.masked_national_id],
                [_("Card number"), cardholder.masked_card_number],
                [_("Period"), f"{year}-01-01 – {year}-12-31"],
                [_("Issued on"), formatting.date_text(data["issued"])],
            ],
            [40 * mm, 120 * mm],
            header_rows=0,
        ),
        Paragraph(_("Balances"), styles["h2"]),
    ]
    balance_rows = [[_("Account"), _("1 January"), _("Money in"), _("Money out"), _("31 December")]]
    for row in data["accounts"]:
        balance_rows.append(
            [
                f"{row['label']} · {row['kind_label']}",
                _money(row["opening"]),
                _money(row["credits"]),
                _money(row["debits"]),
                _money(row["closing"]),
            ]
        )
    story.append(fact_table(balance_rows, [54 * mm, 28 * mm, 28 * mm, 28 * mm, 28 * mm]))

    story.append(Paragraph(_("Interest"), styles["h2"]))
    interest_rows = [[_("Personal account"), _("Interest credited"), _("Rate")]]
    for row in data["interest_rows"]:
        interest_rows.append(
            [
                f"{row['label']} · {row['kind_label']}",
                _money(row["interest"]),
                row.get("interest_rate_text") or _("not yet published"),
            ]
        )
    story.append(fact_table(interest_rows, [70 * mm, 40 * mm, 56 * mm]))

    story.append(Paragraph(_("Contributions"), styles["h2"]))
    if data["contributions"]:
        rows = [
            [
                _("Month"),
                _("Scheme"),
                _("Employer"),
                _("Wage base"),
                _("To the pool"),
                _("To your personal account"),
            ]
        ]
        for row in data["contributions"]:
            rows.append(
                [
                    formatting.month_text(row["month"]),
                    row["scheme_label"],
                    Paragraph(escape(row["employer"] or _("Paid yourself")), styles["body"]),
                    _money(row["wage_base"]),
                    _money(row["to_pooled"]),
                    _money(row["to_personal"]),
                ]
            )
        footer = []
        for total in data["totals"]:
            footer.append(
                [
                    _("Total %(scheme)s") % {"scheme": total["label"]},
                    "",
                    "",
                    "",
                    _money(total["to_pooled"]),
                    _money(total["to_personal"]),
                ]
            )
        footer.append([_("All contributions"), "", "", "", _money(data["contributions_total"]), ""])
        story.append(
            fact_table(
                rows + footer,
                [18 * mm, 22 * mm, 46 * mm, 26 * mm, 26 * mm, 28 * mm],
                footer_rows=len(footer),
            )
        )
    else:
        story.append(Paragraph(_("No contributions were recorded in this year."), styles["body"]))

    story.append(
        KeepTogether(
            [
                Paragraph(_("Other payments"), styles["h2"]),
                fact_table(
                    [
                        [_("Medical purchases"), _money(data["settlements_total"])],
                        [_("Paid out"), _money(data["payouts_total"])],
                    ],
                    [54 * mm, 40 * mm],
                    header_rows=0,
                ),
                Spacer(1, 6 * mm),
                Paragraph(
                    _(
                        "This statement is provided every year under Article 74 of the Social "
                        "Insurance Law. If a figure looks wrong, tell a service centre: "
                        "corrections are made by a new, visible entry, never by changing the "
                        "old one."
                    ),
                    styles["small"],
                ),
            ]
        )
    )
    code = signing.sign(statement_facts(data))
    story.append(Spacer(1, 6 * mm))
    story.append(
        KeepTogether(
            signed_pdf.verification_block(
                code,
                verify_base,
                _("Check that this statement is genuine: scan the code or open"),
                styles["small"],
            )
        )
    )
    doc.build(story)
    return signed_pdf.embed_code(buffer.getvalue(), code)
