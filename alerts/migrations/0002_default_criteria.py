"""Every state starts with the checklist common to real state plans; coordinators edit it in the admin.

Georgia and Delaware require an NCIC entry and an arrest warrant first (DOMAIN.md).
"""

from django.db import migrations

DEFAULTS = [
    ("trigger", "The incident meets one of the four Blue Alert triggers", ""),
    ("suspect_at_large", "The suspect is at large and poses a threat", ""),
    ("descriptive_info", "There is enough descriptive information for the public to help",
     "A suspect description, or a vehicle with a full or partial plate."),
    ("agency_head_authorized", "The head of the agency of jurisdiction has authorized this request", ""),
    ("ncic_entry", "The suspect (or the missing officer) has been entered into NCIC", ""),
    ("arrest_warrant", "An arrest warrant has been issued for the suspect", ""),
]
STRICT_STATES = {"GA", "DE"}


def load(apps, schema_editor):
    State = apps.get_model("agencies", "State")
    Criterion = apps.get_model("alerts", "Criterion")
    for state in State.objects.all():
        for position, (key, label, help_text) in enumerate(DEFAULTS):
            required = key not in ("ncic_entry", "arrest_warrant") or state.usps in STRICT_STATES
            Criterion.objects.get_or_create(
                state=state, key=key,
                defaults={"label": label, "help_text": help_text, "required": required, "position": position},
            )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("agencies", "0002_load_states_and_counties")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
