"""The living check's reminder and lapse notice: an e-mail (the record) and a text
message, in the pensioner's preferred language, or both when they have chosen none.
Each names the legal basis and how to contest."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from casework.notifications import SIGNATURE, languages_for
from core import sms
from core.rights import HOW_TO_CONTEST

LAW_LIVING_CHECK = (
    "Social Insurance Law of the PRC, Art. 16 and Art. 88; State Council Decision "
    "国发〔2005〕38号: the qualification (living) check at least once every 12 months"
)
SUBJECTS = {
    "reminder": _("Your yearly living check is due soon"),
    "lapsed": _("Your living check has lapsed: pension payment is suspended"),
}
TEXTS = {
    "reminder": _(
        "sscard: confirm your yearly living check by %(due)s online (Pension page) or at a "
        "service centre, so your pension keeps being paid."
    ),
    "lapsed": _(
        "sscard: your living check lapsed on %(due)s; your pension is suspended. Confirm it "
        "online or at a service centre: the suspended months are then paid."
    ),
}


def render(claim, *, kind, due, user):
    """(subject, e-mail body, text message) of the notice of `kind`."""
    languages = languages_for(user) if user is not None else ("zh-hans", "en")
    context = {
        "applicant_name": (user.get_full_name() if user is not None else "")
        or claim.cardholder.name,
        "claim": claim,
        "due": due,
        "legal_basis": LAW_LIVING_CHECK,
        "how_to_contest": HOW_TO_CONTEST,
    }
    subjects, bodies, texts = [], [], []
    for language in languages:
        with translation.override(language):
            subjects.append(str(SUBJECTS[kind]))
            bodies.append(render_to_string(f"pensions/email/living_check_{kind}.txt", context))
            texts.append(str(TEXTS[kind]) % {"due": due.isoformat()})
    body = "\n\n".join(part.strip() for part in bodies)
    return " / ".join(subjects), f"{body}\n\n{SIGNATURE}", " / ".join(texts)


def send_email(subject, body, recipient):
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


def send_text(number, text):
    return sms.send(number, text)
