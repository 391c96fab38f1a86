from django.db import migrations, models

import workshops.models


def give_each_series_a_results_code(apps, schema_editor):
    Series = apps.get_model("workshops", "Series")
    taken = set()
    for series in Series.objects.all():
        code = workshops.models.new_results_code()
        while code in taken:
            code = workshops.models.new_results_code()
        taken.add(code)
        series.results_code = code
        series.save(update_fields=["results_code"])


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0011_prompt_open_before_closing"),
    ]

    operations = [
        migrations.AddField(
            model_name="series",
            name="results_code",
            field=models.CharField(editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(give_each_series_a_results_code, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="series",
            name="results_code",
            field=models.CharField(
                default=workshops.models.new_results_code,
                editable=False,
                max_length=8,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="workshop",
            name="easy_read_default",
            field=models.BooleanField(
                default=False,
                help_text="Phones open in Easy Read: larger type, Easy Read questions and "
                "answer buttons with symbols. Each person can still switch. Useful for young "
                "people's sessions.",
                verbose_name="Easy Read by default",
            ),
        ),
        migrations.AddField(
            model_name="prompt",
            name="easy_read",
            field=models.TextField(
                blank=True,
                help_text="The question in short sentences of everyday words, for phones in "
                "Easy Read.",
                max_length=500,
                verbose_name="Easy Read question",
            ),
        ),
    ]
