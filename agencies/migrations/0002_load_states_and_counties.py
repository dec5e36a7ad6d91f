"""Every state, DC and territory (from `us`) and every county (from `addfips`'s 2020 vintage).

Nothing is typed by hand: the packages' data is the source. Re-running is harmless.
"""

import csv
from importlib.resources import files

from django.db import migrations


def load(apps, schema_editor):
    import us

    State = apps.get_model("agencies", "State")
    County = apps.get_model("agencies", "County")
    for s in us.states.STATES_AND_TERRITORIES:
        State.objects.update_or_create(
            usps=s.abbr, defaults={"fips": s.fips, "name": s.name, "is_territory": s.is_territory}
        )
    by_fips = {s.fips: s for s in State.objects.all()}
    existing = set(County.objects.values_list("state__fips", "fips"))
    rows = []
    with files("addfips").joinpath("data/counties_2020.csv").open("rt", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            state = by_fips.get(row["statefp"])
            key = (row["statefp"], row["countyfp"])
            # The file lists some counties twice under another name (Kings/Brooklyn): first wins.
            if state and key not in existing:
                existing.add(key)
                rows.append(County(state=state, fips=row["countyfp"], name=row["name"]))
    County.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
