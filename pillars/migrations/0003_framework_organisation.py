import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Frameworks gain an owner; workshops' 0009 fills it in, 0004 makes it required."""

    dependencies = [
        ("accounts", "0002_organisations"),
        ("pillars", "0002_send_reform"),
    ]

    operations = [
        migrations.AddField(
            model_name="framework",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="frameworks",
                to="accounts.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="framework",
            name="slug",
            field=models.SlugField(),
        ),
        migrations.AddConstraint(
            model_name="framework",
            constraint=models.UniqueConstraint(
                fields=("organisation", "slug"), name="framework_slug_unique"
            ),
        ),
    ]
