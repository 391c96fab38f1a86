from django.db import migrations

GROUPS = [
    ("pcf", "Parent carer forum", "PCF", "Parents and carers of disabled children"),
    ("education", "Education setting", "Education", "Schools, colleges and early years"),
    ("health", "Health service", "Health", "NHS and other health services"),
    ("local_government", "Local government", "Local gov.", "Council officers and elected members"),
    ("young_person", "Young person", "Young person", "Young people with SEND"),
    ("other", "Other", "Other", "Anyone else"),
]


def load_groups(apps, schema_editor):
    StakeholderGroup = apps.get_model("participants", "StakeholderGroup")
    for order, (slug, name, short_name, description) in enumerate(GROUPS):
        StakeholderGroup.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name, "short_name": short_name,
                "description": description, "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]

    operations = [migrations.RunPython(load_groups, migrations.RunPython.noop)]
