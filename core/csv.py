"""CSV files that spreadsheets open safely: written with a UTF-8 byte-order mark (so
Excel reads Chinese names as UTF-8) and with formula-looking cells neutralised.

A cell a person typed (a payee's name, a note) that starts with = + - @, a tab or a
carriage return, also after leading spaces, would run as a formula when the file is
opened in a spreadsheet (CSV injection). Such a cell is written with a leading
apostrophe, which spreadsheets show as text. Plain numbers (``-12.50``) are left alone.
"""

import csv
import itertools
import re

from django.http import HttpResponse

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value):
    """The cell's text, with a leading apostrophe if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    if _NUMBER.fullmatch(text):
        return text
    if text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer whose every cell goes through `safe_cell`."""

    def __init__(self, fh, **options):
        self._writer = csv.writer(fh, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(fh, **options):
    """Start a CSV file on `fh` (a text stream or an HttpResponse): the BOM, then rows
    through the returned writer."""
    fh.write(BOM)
    return SafeWriter(fh, **options)


def response(filename, header, rows):
    """An attachment download of `header` and `rows`."""
    answer = HttpResponse(content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    out = writer(answer)
    out.writerow(header)
    out.writerows(rows)
    return answer


def reader(lines):
    """csv.reader over `lines` (an open file, a list of strings), ignoring a leading
    BOM, whether or not the file was opened as utf-8-sig."""
    lines = iter(lines)
    first = next(lines, None)
    if first is None:
        return csv.reader(())
    return csv.reader(itertools.chain([first.removeprefix(BOM)], lines))
