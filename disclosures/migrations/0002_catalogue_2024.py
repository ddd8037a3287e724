"""Load the 2024 classification catalogues from disclosures/catalogues/2024/."""

import csv
from pathlib import Path

from django.db import migrations

YEAR = 2024
FOLDER = Path(__file__).resolve().parent.parent / "catalogues" / str(YEAR)


def read(name):
    with open(FOLDER / name, encoding="utf-8", newline="") as f:
        return [(row["code"], row["name"]) for row in csv.DictReader(f)]


def load(apps, schema_editor):
    for model_name, file_name in (("FunctionSubject", "function.csv"), ("EconomicSubject", "economic.csv")):
        model = apps.get_model("disclosures", model_name)
        model.objects.bulk_create(
            [model(year=YEAR, code=code, name=name) for code, name in read(file_name)]
        )


def unload(apps, schema_editor):
    for model_name in ("FunctionSubject", "EconomicSubject"):
        apps.get_model("disclosures", model_name).objects.filter(year=YEAR).delete()


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
