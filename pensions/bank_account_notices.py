"""The notice a pensioner gets when staff correct the bank account their pension is
paid to: an e-mail (the record) and a text message, in their preferred language or
both, with the old and new account (masked), the reason, the legal basis and how to
contest. Sent once per timeline event (the `Notification` row is the proof)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from casework.models import Event, Notification
from casework.notifications import SIGNATURE, languages_for
from core import sms
from core.rights import HOW_TO_CONTEST
from pensions import notes as pension_notes
from pensions.models import RetirementClaim

LAW_PENSION_PAYMENT = (
    "Social Insurance Law of the PRC, Art. 15-16 (the pension paid monthly to the "
    "pensioner) and Art. 83 (how to contest)"
)
SUBJECT = _("The bank account your pension is paid to was corrected")
TEXT = _(
    "sscard: staff corrected the bank account your pension is paid to (now %(new)s). "
    "See your pension page or e-mail for the reason and how to contest it."
)


def render(claim, event, user):
    """(subject, e-mail body, text message) of the notice for `event`."""
    params = event.note_params or {}
    context = {
        "applicant_name": user.get_full_name() or claim.cardholder.name,
        "claim": claim,
        "old": params.get("old", ""),
        "new": params.get("new", ""),
        "reason": params.get("reason", ""),
        "legal_basis": LAW_PENSION_PAYMENT,
        "how_to_contest": HOW_TO_CONTEST,
    }
    subjects, bodies, texts = [], [], []
    for language in languages_for(user):
        with translation.override(language):
            subjects.append(str(SUBJECT))
            bodies.append(render_to_string("pensions/email/bank_account_corrected.txt", context))
            texts.append(str(TEXT) % {"new": context["new"]})
    body = "\n\n".join(part.strip() for part in bodies)
    return " / ".join(subjects), f"{body}\n\n{SIGNATURE}", " / ".join(texts)


def bank_account_corrected_notify(event_id):
    """Send the notice of one correction, at most once. Returns True if it sent now."""
    event = Event.objects.filter(
        pk=event_id, note_code=pension_notes.BANK_ACCOUNT_CORRECTED
    ).first()
    if event is None:
        return False
    claim = RetirementClaim.objects.select_related("applicant", "cardholder").get(pk=event.case_id)
    user = claim.applicant
    subject, body, text = render(claim, event, user)
    try:
        with transaction.atomic():
            Notification.objects.create(event=event, recipient=user.email or "")
            if user.email:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:
        return False
    if user.mobile:
        sms.send(user.mobile, text)
    return True
