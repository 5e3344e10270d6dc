"""The demo's estate without heirs: Huang Jianhua 黄建华 (card A10000012) died on
20 June 2025 and nobody came forward. His death is recorded as a verification records
it (card cancelled, pooled accounts back to the fund, the life event told to every
kind); his personal balances stay open for staff to record that no heir came forward
and for a second member of staff to confirm (`withdrawals.estates`)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts import extensions
from accounts import services as accounts_services
from accounts.models import Cardholder

HUANG_JIANHUA_ID = "440304196802110051"
DATE_OF_DEATH = date(2025, 6, 20)
CERTIFICATE = "DEMO-DC-440304-20250620"


@transaction.atomic
def seed():
    """Record Huang Jianhua's verified death once; returns whether it was recorded now."""
    holder = Cardholder.objects.with_national_id(HUANG_JIANHUA_ID).select_for_update().first()
    if holder is None or holder.life_status == Cardholder.LifeStatus.DECEASED:
        return False
    Cardholder.objects.filter(pk=holder.pk).update(
        life_status=Cardholder.LifeStatus.DECEASED,
        date_of_death=DATE_OF_DEATH,
        death_certificate_number=CERTIFICATE,
        updated_at=timezone.now(),
    )
    accounts_services.card_cancel_on_death(cardholder=holder)
    accounts_services.pooled_accounts_close_on_death(cardholder=holder)
    extensions.life_event(
        cardholder_id=holder.pk, event=extensions.DECEASED, on=DATE_OF_DEATH, actor=None
    )
    return True
