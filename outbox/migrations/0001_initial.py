# Notice and Delivery move here from notifications. The tables already exist (notifications 0001):
# this changes Django's model state only, never the database, so existing rows stay as they are.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _rename_content_types(apps, source: str, target: str) -> None:
    # Keeps the content types (and the permissions hanging on them) of the moved models.
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("notice", "delivery"):
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_forward(apps, schema_editor):
    _rename_content_types(apps, "notifications", "outbox")


def content_types_backward(apps, schema_editor):
    _rename_content_types(apps, "outbox", "notifications")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('notifications', '0002_distribution_plan'),
        ('alerts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Notice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('template', models.CharField(max_length=200)),
                        ('subject', models.CharField(max_length=300)),
                        ('body_text', models.TextField()),
                        ('body_html', models.TextField(blank=True)),
                        ('headers', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'notifications_notice',
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('recipient_key', models.CharField(help_text='sub.<id>, user.<id> or addr.<email>', max_length=320)),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('webhook', 'Webhook')], default='email', max_length=8)),
                        ('audience', models.CharField(choices=[('media', 'Media subscriber'), ('law_enforcement', 'Law enforcement'), ('public', 'Former law-enforcement recipient (public version)'), ('workflow', 'Workflow notification')], max_length=16)),
                        ('language', models.CharField(default='en', max_length=4)),
                        ('address', models.CharField(help_text='Email address or webhook URL.', max_length=500)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed_temp', 'Failed, will retry'), ('failed_perm', 'Failed permanently')], default='queued', max_length=12)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('claim_token', models.UUIDField(blank=True, null=True)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True)),
                        ('enqueued_at', models.DateTimeField(blank=True, help_text='Last time a send task was queued.', null=True)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('smtp_message_id', models.CharField(blank=True, help_text='Stable per delivery.', max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='alerts.message')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('subscriber', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='notifications.mediasubscriber')),
                        ('notice', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='outbox.notice')),
                    ],
                    options={
                        'db_table': 'notifications_delivery',
                        'verbose_name_plural': 'deliveries',
                        'ordering': ['id'],
                        'indexes': [models.Index(fields=['status', 'claimed_at'], name='notificatio_status_7a4871_idx'), models.Index(fields=['message', 'status'], name='notificatio_message_932972_idx')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('message__isnull', False)), fields=('message', 'recipient_key', 'channel'), name='delivery_once_per_message'), models.UniqueConstraint(condition=models.Q(('notice__isnull', False)), fields=('notice', 'recipient_key', 'channel'), name='delivery_once_per_notice'), models.CheckConstraint(condition=models.Q(('message__isnull', False), ('notice__isnull', False), _connector='XOR'), name='delivery_message_xor_notice')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
