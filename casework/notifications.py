"""Emails (and a text message) to the applicant about the changes that concern them,
once per event.

Each kind says which new states are worth an email (Workflow.emails: the subject, a
gettext message) and where the body's template is (Workflow.email_template). The
notice speaks the applicant's preferred language, or both when they have chosen none;
an applicant with a mobile number also gets the subject as a text message.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from casework import workflow
from casework.models import Event, Notification
from core import sms

EMAIL_LANGUAGES = ("zh-hans", "en")
SIGNATURE = "-- \nsscard\n"


def languages_for(user):
    return (user.preferred_language,) if user.preferred_language else EMAIL_LANGUAGES


def render(event):
    """(subject, body) of the email for `event`, or None if it concerns nobody."""
    flow = workflow.get(event.kind)
    if event.new_status not in flow.emails or not event.is_status_change:
        return None
    case = workflow.model_for(event.kind).objects.select_related("applicant").get(pk=event.case_id)
    applicant = case.applicant
    context = {
        "application": case,
        "case": case,
        "event": event,
        "applicant_name": applicant.get_full_name(),
    }
    if flow.email_context is not None:
        context.update(flow.email_context(case))
    template = flow.email_template.format(status=event.new_status)
    subjects, bodies = [], []
    for language in languages_for(applicant):
        with translation.override(language):
            subjects.append(str(flow.emails[event.new_status]))
            bodies.append(render_to_string(template, context))
    body = "\n\n".join(part.strip() for part in bodies)
    return f"[{case.reference}] {' / '.join(subjects)}", f"{body}\n\n{SIGNATURE}"


def event_notify(event_id):
    """Send the email for one event, at most once (the Notification row is the proof;
    it is written in the same transaction as the send, so a failed send is retried and
    a finished one never repeats). Returns True if it sent now."""
    event = Event.objects.select_related("case__applicant").filter(pk=event_id).first()
    if event is None:
        return False
    message = render(event)
    recipient = event.case.applicant.email if message else ""
    try:
        with transaction.atomic():
            # Unique on the event: a concurrent duplicate waits here, then fails.
            Notification.objects.create(event=event, recipient=recipient)
            if message and recipient:
                subject, body = message
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except IntegrityError:
        return False
    mobile = event.case.applicant.mobile
    if message and mobile:
        sms.send(mobile, f"sscard {message[0]}")
    return bool(message and recipient)
