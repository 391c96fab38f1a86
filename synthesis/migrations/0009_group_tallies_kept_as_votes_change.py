import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, F, Q


def count_existing_votes(apps, schema_editor):
    """Count the votes already cast, as synthesis.tallies.counted_from_votes does; written out
    here because a migration must keep working after the code it was written with changes."""
    Vote = apps.get_model("participants", "Vote")
    GroupTally = apps.get_model("synthesis", "GroupTally")
    rows = (
        Vote.objects.exclude(participant=F("contribution__participant"))
        .values_list("contribution_id", "participant__group_id")
        .annotate(
            agree=Count("pk", filter=Q(choice="agree")),
            disagree=Count("pk", filter=Q(choice="disagree")),
            passes=Count("pk", filter=Q(choice="pass")),
        )
        .order_by()
    )
    GroupTally.objects.bulk_create(
        (
            GroupTally(
                contribution_id=post, group_id=group, agree=agree, disagree=disagree, passes=passes
            )
            for post, group, agree, disagree, passes in rows.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_personal_data_masking"),
        ("synthesis", "0008_exports_die_with_their_data"),
    ]

    operations = [
        migrations.CreateModel(
            name="GroupTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("agree", models.IntegerField(default=0)),
                ("disagree", models.IntegerField(default=0)),
                ("passes", models.IntegerField(default=0)),
                (
                    "contribution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_tallies",
                        to="participants.contribution",
                    ),
                ),
                (
                    "group",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="participants.stakeholdergroup",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contribution", "group"), name="one_tally_per_group"
                    )
                ],
            },
        ),
        migrations.RunPython(count_existing_votes, migrations.RunPython.noop),
    ]
