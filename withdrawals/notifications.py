"""The emails of the withdrawal kind are sent by `casework.notifications`."""

from casework.notifications import event_notify, render  # noqa: F401
