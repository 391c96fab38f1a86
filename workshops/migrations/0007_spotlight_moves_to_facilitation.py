from django.db import migrations


class Migration(migrations.Migration):
    """facilitation.0001 copied each spotlight into the wall's own state."""

    dependencies = [
        ("workshops", "0006_audit_entry_moves_to_accounts"),
        ("facilitation", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="workshop", name="spotlight"),
    ]
