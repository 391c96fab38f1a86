import secrets

from django.db import migrations, models

import synthesis.models


def give_each_export_a_token(apps, schema_editor):
    ReportExport = apps.get_model("synthesis", "ReportExport")
    for export in ReportExport.objects.filter(token__isnull=True).only("pk"):
        export.token = secrets.token_urlsafe(32)
        export.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("synthesis", "0007_similar_posts_and_suggested_themes"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportexport",
            name="token",
            field=models.CharField(max_length=43, null=True, editable=False),
        ),
        migrations.RunPython(give_each_export_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reportexport",
            name="token",
            field=models.CharField(
                default=synthesis.models.new_export_token,
                editable=False,
                max_length=43,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="files_deleted",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="reportversion",
            name="files_deleted_because",
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
