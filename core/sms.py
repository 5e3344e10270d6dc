"""Text messages, through a backend chosen in settings (as Django does for e-mail).

`SSCARD_SMS_BACKEND` names a class with `send_messages(messages) -> int`; the default
prints to the console (the demo), `core.sms.LocmemBackend` keeps them in `outbox` (the
tests), and a deployment names its gateway's adapter. A message is a (number, text) pair.
"""

import logging
import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox = []


@dataclass(frozen=True)
class TextMessage:
    number: str
    text: str


class ConsoleBackend:
    def send_messages(self, messages):
        for message in messages:
            sys.stdout.write(f"SMS to {message.number}:\n{message.text}\n{'-' * 40}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemBackend:
    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


def send(number, text):
    """Send one message; True if the backend took it. A failing gateway is logged,
    never raised: the e-mail is the record of a notice, the text a courtesy."""
    backend = import_string(getattr(settings, "SSCARD_SMS_BACKEND", "core.sms.ConsoleBackend"))
    try:
        return backend().send_messages([TextMessage(number, text)]) == 1
    except Exception:
        logger.exception("text message not sent")
        return False
