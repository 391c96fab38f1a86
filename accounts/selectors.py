from collections import defaultdict

from accounts.models import Membership


def members_of(organisation):
    """[(user, {role, ...})] for everyone holding a role in `organisation`, by username."""
    roles = defaultdict(set)
    users = {}
    for membership in Membership.objects.filter(organisation=organisation).select_related("user"):
        users[membership.user_id] = membership.user
        roles[membership.user_id].add(membership.role)
    return [(user, roles[pk]) for pk, user in sorted(users.items(), key=lambda i: i[1].username)]
