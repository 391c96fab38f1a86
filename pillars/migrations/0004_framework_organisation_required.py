import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pillars", "0003_framework_organisation"),
        ("workshops", "0009_organisations_from_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="framework",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="frameworks",
                to="accounts.organisation",
            ),
        ),
    ]
