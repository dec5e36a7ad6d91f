# Each row says which queue it belongs to, so the sweeper requeues it there without knowing what an
# alert message is. Rows still waiting are marked as the old sweeper would have routed them: workflow
# notices and every message that is not a first Alert (Update, Cancel) go to the priority queue.

from django.db import migrations, models


def mark_priority(apps, schema_editor):
    Delivery = apps.get_model("outbox", "Delivery")
    waiting = Delivery.objects.filter(status__in=["queued", "sending", "failed_temp"])
    waiting.filter(models.Q(notice__isnull=False) | ~models.Q(message__kind="Alert")).update(priority=True)


class Migration(migrations.Migration):

    dependencies = [
        ('outbox', '0001_initial'),
        ('notifications', '0003_outbox_moved'),
        ('alerts', '0003_workflow_requests'),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='priority',
            field=models.BooleanField(default=False, help_text='Sent on the priority queue (updates, cancellations, workflow mail); the sweeper requeues it there.'),
        ),
        migrations.RunPython(mark_priority, migrations.RunPython.noop),
    ]
