from accounts.permissions import roles_of


def staff_roles(request):
    """The roles the signed-in person holds anywhere, for the menu."""
    return {"staff_roles": roles_of(request.user)}
