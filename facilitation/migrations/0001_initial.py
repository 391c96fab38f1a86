import django.db.models.deletion
from django.db import migrations, models


def copy_spotlights(apps, schema_editor):
    Workshop = apps.get_model("workshops", "Workshop")
    Spotlight = apps.get_model("facilitation", "Spotlight")
    Spotlight.objects.bulk_create(
        Spotlight(workshop_id=workshop_id, contribution_id=contribution_id)
        for workshop_id, contribution_id in Workshop.objects.filter(
            spotlight__isnull=False
        ).values_list("pk", "spotlight_id")
    )


def restore_spotlights(apps, schema_editor):
    Workshop = apps.get_model("workshops", "Workshop")
    Spotlight = apps.get_model("facilitation", "Spotlight")
    for spotlight in Spotlight.objects.all():
        Workshop.objects.filter(pk=spotlight.workshop_id).update(
            spotlight_id=spotlight.contribution_id
        )


class Migration(migrations.Migration):
    """The wall's spotlight becomes the wall's own state (workshops.0007 drops the old field)."""

    initial = True

    dependencies = [
        ("participants", "0004_personal_data_masking"),
        ("workshops", "0006_audit_entry_moves_to_accounts"),
    ]

    operations = [
        migrations.CreateModel(
            name="Spotlight",
            fields=[
                (
                    "workshop",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="workshops.workshop",
                    ),
                ),
                (
                    "contribution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="participants.contribution",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_spotlights, restore_spotlights),
    ]
