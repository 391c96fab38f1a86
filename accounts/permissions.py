"""Who may do what: staff hold roles in organisations, and act only on their own."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Membership, Organisation

Role = Membership.Role


def organisations_of(user, role):
    """The organisations in which `user` holds `role`: all of them for a superuser."""
    if user.is_superuser:
        return Organisation.objects.all()
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__role=role)


def roles_of(user):
    """The roles `user` holds in any organisation; asked once per request's user."""
    if user.is_superuser:
        return set(Role)
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_roles"):
        user._roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return user._roles


def role_required(role):
    """Visitors who have not signed in are sent to sign in; signed-in staff who hold the role
    in no organisation get a 403 that says so."""

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if role not in roles_of(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorator


def object_required(find):
    """For pages about one object, named by the URL's `pk`: `requirement(role)` admits staff
    holding the role, and only to objects among `find(user, role)`. Any other answers 404, as
    if it did not exist, so no one learns which ids another organisation has."""

    def requirement(role):
        def decorator(view):
            @role_required(role)
            @wraps(view)
            def guarded(request, pk, *args, **kwargs):
                if not find(request.user, role).filter(pk=pk).exists():
                    raise Http404
                return view(request, pk, *args, **kwargs)

            return guarded

        return decorator

    return requirement


organisation_required = object_required(organisations_of)
facilitator_required = role_required(Role.FACILITATOR)
analyst_required = role_required(Role.ANALYST)
admin_required = role_required(Role.ADMIN)
