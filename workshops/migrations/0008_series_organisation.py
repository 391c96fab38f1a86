import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The organisation's name moves aside for a foreign key; 0009 links the two."""

    dependencies = [
        ("accounts", "0002_organisations"),
        ("workshops", "0007_spotlight_moves_to_facilitation"),
    ]

    operations = [
        migrations.RenameField("series", "organisation", "organisation_name"),
        migrations.AddField(
            model_name="series",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="series",
                to="accounts.organisation",
            ),
        ),
        migrations.AlterModelOptions(
            name="series",
            options={"ordering": ["-created"], "verbose_name_plural": "series"},
        ),
    ]
