from django.db import migrations

# Permissions are normally created after all migrations run; the roles need them now.
ROLES = {
    "Facilitators": [
        ("workshops", "series", "facilitate", "Can run workshops: prompts, moderation, the wall"),
        ("pillars", "framework", "change_framework", "Can change framework"),
    ],
    "Analysts": [
        ("workshops", "series", "analyse", "Can analyse contributions and export reports"),
    ],
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for role, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, model, codename, name in permissions:
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0002_roles_permissions"),
        ("pillars", "0002_send_reform"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
