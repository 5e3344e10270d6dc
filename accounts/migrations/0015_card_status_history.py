"""The card's status history, append-only: PostgreSQL refuses UPDATE and DELETE on
its rows, whatever the client (the ORM already refuses them)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.append_only import append_only


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0014_user_contact"),
    ]

    operations = [
        migrations.CreateModel(
            name='CardStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(choices=[('active', 'Active'), ('reported_lost', 'Reported lost'), ('frozen', 'Frozen'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='from')),
                ('to_status', models.CharField(choices=[('active', 'Active'), ('reported_lost', 'Reported lost'), ('frozen', 'Frozen'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='to')),
                ('reason', models.CharField(choices=[('reported_lost', 'Reported lost'), ('loss_report_lifted', 'Loss report lifted by the cardholder'), ('reactivated', 'Put back in use by a service centre'), ('death_verified', 'Cancelled after a verified death'), ('emigration_paid', 'Cancelled after the payout on settling abroad')], max_length=30, verbose_name='reason')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('cardholder', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='card_changes', to='accounts.cardholder')),
            ],
            options={
                'verbose_name': 'card status change',
                'verbose_name_plural': 'card status changes',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['cardholder', '-at'], name='card_change_holder_at')],
            },
        ),
        append_only(
            "accounts_cardstatuschange",
            function="sscard_card_history_append_only",
            what="card history",
        ),
    ]
