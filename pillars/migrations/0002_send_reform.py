from django.db import migrations

from pillars import send_reform


def load_send_reform(apps, schema_editor):
    send_reform.load(
        apps.get_model("pillars", "Framework"),
        apps.get_model("pillars", "Pillar"),
        apps.get_model("pillars", "Recommendation"),
    )


class Migration(migrations.Migration):
    dependencies = [("pillars", "0001_initial")]

    operations = [migrations.RunPython(load_send_reform, migrations.RunPython.noop)]
