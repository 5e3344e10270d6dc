"""The Celery application. Reliability settings live in settings.py (CELERY_*)."""

import logging
import os

from celery import Celery
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.settings")

app = Celery("sscard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Queue `task` once the current transaction commits.

    PostgreSQL is the truth and the broker only the transport: if publishing
    fails (Redis down), the error is logged and the periodic sweeper queues the
    work again later, so the request that caused it still succeeds.
    """

    def publish():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            # Eager mode runs the task right here: its own errors must still surface.
            if app.conf.task_always_eager:
                raise
            logger.warning("could not queue %s; the sweeper will retry", task.name, exc_info=True)

    transaction.on_commit(publish)


@app.task(name="sscard.ping", ignore_result=False)
def ping():
    """Round-trip check used by the health probe's tests and by operators."""
    return "pong"
