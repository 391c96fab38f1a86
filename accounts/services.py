from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit, signals
from accounts.models import Membership, Organisation


@transaction.atomic
def organisation_create(*, name, actor=None):
    """A new organisation, with what the apps above give it (its own SEND framework)."""
    organisation = Organisation(name=" ".join(name.split()))
    organisation.full_clean()
    organisation.save()
    signals.organisation_created.send(Organisation, organisation=organisation)
    audit.record("organisation_created", organisation, actor=actor, organisation=organisation)
    return organisation


def _staff_by_email(email):
    """The person signed up with this address, or a new account for them with no password
    yet: they choose one through a one-time link."""
    email = User.objects.normalize_email(email.strip())
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        return user, False
    user = User(username=email.lower()[:150], email=email)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user, True


@transaction.atomic
def member_add(*, organisation, email, roles, actor=None):
    """Give the person with this address `roles` in `organisation`; returns (user, created),
    created when the address was new to us and its owner must still choose a password."""
    if not roles:
        raise ValidationError("Choose at least one role.")
    user, created = _staff_by_email(email)
    for role in roles:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    audit.record("member_added", user, actor=actor, organisation=organisation, roles=sorted(roles))
    return user, created


@transaction.atomic
def member_set_roles(*, organisation, user, roles, actor=None):
    """Replace `user`'s roles in `organisation`; no roles removes them from it. An
    organisation always keeps one admin, so it is never left with no one to manage it."""
    roles = set(roles)
    memberships = Membership.objects.select_for_update().filter(organisation=organisation)
    admins = {m.user_id for m in memberships if m.role == Membership.Role.ADMIN}
    if admins == {user.pk} and Membership.Role.ADMIN not in roles:
        raise ValidationError(
            f"{user.email or user.username} is the only admin of {organisation}. "
            "Make someone else an admin first."
        )
    memberships.filter(user=user).exclude(role__in=roles).delete()
    for role in roles:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    audit.record(
        "member_roles_set", user, actor=actor, organisation=organisation, roles=sorted(roles)
    )
