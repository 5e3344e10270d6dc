"""Writes of the benefits app: one function per use case, one transaction each."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Cardholder
from accounts.services import employment_status_set
from benefits.exceptions import Forbidden, InvalidInput, RegistrationRefused
from benefits.models import UnemploymentRegistration

logger = logging.getLogger(__name__)


@transaction.atomic
def registration_create(
    *, cardholder, actor, how_ended, seeking_work, job_ended_on=None, today=None
):
    """The person registers as unemployed (SIL Art. 50): the registration is recorded
    with today's date and their employment status becomes unemployed."""
    if actor is None or not (actor.is_staff or actor.pk == cardholder.user_id):
        raise Forbidden(field="actor")
    today = today or timezone.localdate()
    if job_ended_on is None:
        raise RegistrationRefused(
            _("Say when your job ended."), code="job_end_missing", field="job_ended_on"
        )
    if job_ended_on > today:
        raise RegistrationRefused(
            _("Your job end is in the future; register once it has ended."),
            code="job_end_in_future",
            field="job_ended_on",
        )
    if how_ended not in UnemploymentRegistration.HowEnded.values:
        raise InvalidInput(field="how_ended")
    if not seeking_work:
        raise RegistrationRefused(
            _("Registration is for people who seek work (SIL Art. 45)."),
            code="not_seeking_work",
            field="seeking_work",
        )
    if cardholder.employment_status == Cardholder.EmploymentStatus.RETIRED:
        raise RegistrationRefused(
            _("You draw a basic pension; unemployment registration is not open to you."),
            code="pension_in_payment",
            field="non_field_errors",
        )
    registration = UnemploymentRegistration.objects.create(
        cardholder=cardholder,
        job_ended_on=job_ended_on,
        how_ended=how_ended,
        seeking_work=True,
        registered_on=today,
    )
    employment_status_set(
        cardholder=cardholder, status=Cardholder.EmploymentStatus.UNEMPLOYED, actor=actor
    )
    logger.info("cardholder %s registered as unemployed", cardholder.pk)
    return registration
