"""Logs never carry a full national ID number."""

import logging
import re

# 18-character resident ID numbers (GB 11643): keep the first 6 and last 4, as everywhere.
NATIONAL_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_ids(text):
    return NATIONAL_ID.sub(r"\1********\2", text)


class MaskingFormatter(logging.Formatter):
    """Formats as usual, then masks anything shaped like an ID number, tracebacks included."""

    def format(self, record):
        return mask_ids(super().format(record))
