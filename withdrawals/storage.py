"""Moved to `casework.storage`; kept so existing imports still work."""

from casework.storage import *  # noqa: F403
