from django.db import migrations

DEFAULT_ORGANISATION = "Default organisation"
# The site-wide groups of before; their members become members of every organisation, so
# nobody loses access to a series they could open. Organisation admins are appointed after.
ROLES = {"Facilitators": "facilitator", "Analysts": "analyst"}


def clone(instance, **changes):
    instance.pk = None
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.save()
    return instance


def give_copy(apps, framework, organisation):
    """Give `organisation` its own copy of `framework` and point its series, their prompts and
    their findings at the copy, so that another organisation's edits never reach them."""
    Pillar = apps.get_model("pillars", "Pillar")
    Recommendation = apps.get_model("pillars", "Recommendation")
    Series = apps.get_model("workshops", "Series")
    Prompt = apps.get_model("workshops", "Prompt")
    Finding = apps.get_model("synthesis", "Finding")
    series = list(
        Series.objects.filter(organisation=organisation, framework=framework).values_list(
            "pk", flat=True
        )
    )
    pillars = list(Pillar.objects.filter(framework=framework))
    recommendations = list(Recommendation.objects.filter(pillar__framework=framework))
    copy = clone(framework, organisation=organisation)
    new_pillar = {}
    for pillar in pillars:
        old = pillar.pk
        new_pillar[old] = clone(pillar, framework=copy)
        Finding.objects.filter(series__in=series, pillar_id=old).update(pillar=new_pillar[old])
    for recommendation in recommendations:
        old = recommendation.pk
        new = clone(recommendation, pillar=new_pillar[recommendation.pillar_id])
        Prompt.objects.filter(workshop__series__in=series, recommendation_id=old).update(
            recommendation=new
        )
    Series.objects.filter(pk__in=series).update(framework=copy)


def organisations_from_names(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Membership = apps.get_model("accounts", "Membership")
    Series = apps.get_model("workshops", "Series")
    Framework = apps.get_model("pillars", "Framework")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")

    for series in Series.objects.all():
        name = series.organisation_name.strip() or DEFAULT_ORGANISATION
        series.organisation, _ = Organisation.objects.get_or_create(name=name)
        series.save(update_fields=["organisation"])

    for framework in list(Framework.objects.all()):
        users = list(Organisation.objects.filter(series__framework=framework).distinct())
        owners = sorted(users, key=lambda o: o.pk) or [
            Organisation.objects.get_or_create(name=DEFAULT_ORGANISATION)[0]
        ]
        framework.organisation = owners[0]
        framework.save(update_fields=["organisation"])
        for organisation in owners[1:]:
            give_copy(apps, Framework.objects.get(pk=framework.pk), organisation)

    organisations = list(Organisation.objects.all())
    for group, role in ROLES.items():
        Membership.objects.bulk_create(
            [
                Membership(user=user, organisation=organisation, role=role)
                for user in User.objects.filter(groups__name=group)
                for organisation in organisations
            ],
            ignore_conflicts=True,
        )
    Group.objects.filter(name__in=ROLES).delete()


def names_from_organisations(apps, schema_editor):
    """Back to names and groups; frameworks copied forward stay as copies."""
    Membership = apps.get_model("accounts", "Membership")
    Series = apps.get_model("workshops", "Series")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for series in Series.objects.select_related("organisation"):
        series.organisation_name = series.organisation.name
        series.save(update_fields=["organisation_name"])
    codenames = {"Facilitators": ["facilitate", "change_framework"], "Analysts": ["analyse"]}
    for group_name, role in ROLES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(codename__in=codenames[group_name]))
        members = Membership.objects.filter(role=role).values_list("user", flat=True)
        group.user_set.add(*set(members))


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0008_series_organisation"),
        ("pillars", "0003_framework_organisation"),
        ("synthesis", "0008_exports_die_with_their_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(organisations_from_names, names_from_organisations)]
