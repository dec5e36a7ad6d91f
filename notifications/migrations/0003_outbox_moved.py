# Notice and Delivery now belong to the outbox app (outbox 0001), which keeps their tables:
# remove them from this app's model state only; the database is not touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_distribution_plan'),
        ('outbox', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='Delivery'),
                migrations.DeleteModel(name='Notice'),
            ],
        ),
    ]
