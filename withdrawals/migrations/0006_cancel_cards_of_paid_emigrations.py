"""Cards of people whose emigration payout the bank confirmed before the payment
cancelled the card: cancelled now, each with its history row dated at the payment."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Application = apps.get_model("withdrawals", "WithdrawalApplication")
    Event = apps.get_model("casework", "Event")
    Cardholder = apps.get_model("accounts", "Cardholder")
    CardStatusChange = apps.get_model("accounts", "CardStatusChange")
    paid = Application.objects.filter(reason="emigration", status="paid").order_by("pk")
    for application in paid:
        cardholder = Cardholder.objects.filter(pk=application.cardholder_id).first()
        if cardholder is None or cardholder.card_status == "cancelled":
            continue
        event = (
            Event.objects.filter(case_id=application.pk, new_status="paid").order_by("-id").first()
        )
        at = event.created_at if event else timezone.now()
        CardStatusChange.objects.create(
            cardholder_id=cardholder.pk,
            from_status=cardholder.card_status,
            to_status="cancelled",
            reason="emigration_paid",
            actor=None,
            at=at,
        )
        Cardholder.objects.filter(pk=cardholder.pk).update(
            card_status="cancelled", updated_at=timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("withdrawals", "0005_claim_safeguards"),
        ("casework", "0003_event_staff_only"),
        ("accounts", "0015_card_status_history"),
    ]
    # Forwards only: un-cancelling a card is not something a rollback should do.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
