from django.contrib.auth.decorators import login_required, permission_required


def role_required(permission):
    """Visitors who have not signed in are sent to sign in; signed-in staff without the
    permission get a 403 that says so."""

    def decorator(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorator


facilitator_required = role_required("workshops.facilitate")
analyst_required = role_required("workshops.analyse")
framework_editor_required = role_required("pillars.change_framework")
