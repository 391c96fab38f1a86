import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The audit log moves to `accounts`, which sits below workshops: the table and every
    row stay, and the workshop becomes a plain id (accounts.0001 takes the model over)."""

    dependencies = [
        ("workshops", "0005_audit_and_summaries"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="workshop",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="workshops.workshop",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
