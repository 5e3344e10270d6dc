"""The demo's estate without heirs: Huang Jianhua 黄建华 (card A10000012) died on
20 June 2025 and nobody came forward. His death is recorded as a verification records
it (`services.cardholder_record_death`: card cancelled, pooled accounts back to the
fund, every app above told); his personal balances stay open for staff to record that
no heir came forward and for a second member of staff to confirm (`withdrawals.estates`)."""

from datetime import date

from django.db import transaction

from accounts.models import Cardholder
from withdrawals import services

HUANG_JIANHUA_ID = "440304196802110051"
DATE_OF_DEATH = date(2025, 6, 20)
CERTIFICATE = "DEMO-DC-440304-20250620"


@transaction.atomic
def seed():
    """Record Huang Jianhua's verified death once; returns whether it was recorded now."""
    holder = Cardholder.objects.with_national_id(HUANG_JIANHUA_ID).select_for_update().first()
    if holder is None or holder.life_status == Cardholder.LifeStatus.DECEASED:
        return False
    services.cardholder_record_death(holder, when=DATE_OF_DEATH, number=CERTIFICATE)
    return True
