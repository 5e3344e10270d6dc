"""Moved to `casework.inspection`; kept so existing imports still work."""

from casework.inspection import *  # noqa: F403
