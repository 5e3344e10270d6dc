"""Emails to the applicant about the changes that concern them, in both languages."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _l

from withdrawals.models import ApplicationEvent, EventNotification, Status

# Subject per new status; the body is templates/withdrawals/email/<status>.txt.
SUBJECTS = {
    Status.SUBMITTED: _l("Application received"),
    Status.NEEDS_DOCUMENTS: _l("More documents needed"),
    Status.APPROVED: _l("Application approved"),
    Status.REJECTED: _l("Application rejected"),
    Status.PAID: _l("Payment made"),
}
# The reader's language is not known when an email goes out: it speaks both.
EMAIL_LANGUAGES = ("zh-hans", "en")
SIGNATURE = "-- \nsscard\n"


def render(event):
    """(subject, body) of the email for `event`, or None if it concerns nobody."""
    if event.new_status not in SUBJECTS or not event.is_status_change:
        return None
    application = event.application
    applicant = application.applicant
    context = {
        "application": application,
        "event": event,
        "applicant_name": applicant.get_full_name() or application.bank_account_holder,
        "account_tail": application.bank_account_number.replace(" ", "")[-4:],
    }
    subjects, bodies = [], []
    for language in EMAIL_LANGUAGES:
        with translation.override(language):
            subjects.append(str(SUBJECTS[event.new_status]))
            bodies.append(render_to_string(f"withdrawals/email/{event.new_status}.txt", context))
    body = "\n\n".join(part.strip() for part in bodies)
    return f"[{application.reference}] {' / '.join(subjects)}", f"{body}\n\n{SIGNATURE}"


def event_notify(event_id):
    """Send the email for one event, at most once (the EventNotification row is the
    proof; it is written in the same transaction as the send, so a failed send is
    retried and a finished one never repeats). Returns True if it sent now."""
    event = (
        ApplicationEvent.objects.select_related("application__applicant")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return False
    message = render(event)
    recipient = event.application.applicant.email if message else ""
    try:
        with transaction.atomic():
            # Unique on the event: a concurrent duplicate waits here, then fails.
            EventNotification.objects.create(event=event, recipient=recipient)
            if message and recipient:
                subject, body = message
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except IntegrityError:
        return False
    return bool(message and recipient)
