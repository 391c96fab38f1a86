# A theme's recommendations are now those of its posts, so the one it took from its first
# post goes. Its posts are untouched: no data moves, every theme keeps its links.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("synthesis", "0009_report_versions"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="theme",
            name="recommendation",
        ),
    ]
