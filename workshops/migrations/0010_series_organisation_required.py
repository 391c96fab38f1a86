import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workshops", "0009_organisations_from_names")]

    operations = [
        migrations.RemoveField("series", "organisation_name"),
        migrations.AlterField(
            model_name="series",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="series",
                to="accounts.organisation",
            ),
        ),
    ]
