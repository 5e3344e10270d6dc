# The case pipeline every application kind shares.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0007_hot_balances_and_admin_filter_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Case',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(editable=False, max_length=30, verbose_name='kind')),
                ('reference', models.CharField(max_length=20, unique=True, verbose_name='reference')),
                ('status', models.CharField(max_length=20, verbose_name='status')),
                ('rules_version', models.CharField(blank=True, max_length=20, verbose_name='eligibility rules version')),
                ('decision_stage', models.CharField(blank=True, max_length=20, verbose_name='last checked at')),
                ('decision_codes', models.JSONField(blank=True, default=list, verbose_name='reason codes of the last check')),
                ('decisions', models.JSONField(blank=True, default=list, verbose_name='every eligibility check')),
                ('request_message', models.TextField(blank=True, verbose_name='documents requested')),
                ('rejection_reason', models.TextField(blank=True, verbose_name='reason for rejection')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('review_queued_at', models.DateTimeField(blank=True, null=True, verbose_name='review queued at')),
                ('review_attempts', models.PositiveIntegerField(default=0, verbose_name='review attempts')),
                ('applicant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to=settings.AUTH_USER_MODEL)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by')),
                ('cardholder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='accounts.cardholder')),
                ('reviewed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last reviewed by')),
                ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='death / emigration verified by')),
            ],
            options={
                'verbose_name': 'case',
                'verbose_name_plural': 'cases',
                'ordering': ['-id'],
            },
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=30, verbose_name='kind')),
                ('stored_name', models.CharField(editable=False, max_length=100, unique=True)),
                ('original_name', models.CharField(max_length=100, verbose_name='file name')),
                ('size', models.PositiveBigIntegerField(verbose_name='size in bytes')),
                ('sha256', models.CharField(db_index=True, max_length=64, verbose_name='SHA-256')),
                ('content_type', models.CharField(blank=True, max_length=50, verbose_name='type (from the content)')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                ('finding', models.CharField(choices=[('pending', 'Not checked yet'), ('passed', 'Passed the automated check'), ('failed', 'Failed the automated check')], default='pending', max_length=10, verbose_name='automated check')),
                ('finding_codes', models.JSONField(blank=True, default=list, verbose_name='problem codes')),
                ('finding_detail', models.TextField(blank=True, verbose_name='problems found')),
                ('reviewed_at', models.DateTimeField(blank=True, null=True, verbose_name='checked at')),
                ('duplicate_of_other_cardholder', models.BooleanField(default=False, verbose_name='same file used for another cardholder')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='casework.case')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'supporting document',
                'verbose_name_plural': 'supporting documents',
                'ordering': ['case', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Event',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=30, verbose_name='kind')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='at')),
                ('old_status', models.CharField(blank=True, max_length=20, verbose_name='from')),
                ('new_status', models.CharField(max_length=20, verbose_name='to')),
                ('note_code', models.CharField(blank=True, max_length=40, verbose_name='note')),
                ('note_params', models.JSONField(blank=True, default=dict, verbose_name='note parameters')),
                ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='casework.case')),
            ],
            options={
                'verbose_name': 'case event',
                'verbose_name_plural': 'case events',
                'ordering': ['case', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('recipient', models.CharField(blank=True, max_length=254, verbose_name='recipient')),
                ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent at')),
                ('event', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='notification', to='casework.event')),
            ],
            options={
                'verbose_name': 'notification sent',
                'verbose_name_plural': 'notifications sent',
            },
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'submitted_at'], name='case_status_submitted'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'review_queued_at'], name='case_review_queue'),
        ),
    ]
