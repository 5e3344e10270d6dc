#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")
    from django.core.management import execute_from_command_line

    from sscard.env import SettingsError

    try:
        execute_from_command_line(sys.argv)
    except SettingsError as exc:
        sys.exit(f"sscard: configuration error: {exc}")


if __name__ == "__main__":
    main()
