from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from accounts import two_factor

# The page each step of two_factor.step_needed is taken on.
STEP_PAGES = {"verify": "two_factor_verify", "setup": "two_factor_setup"}


class TwoFactorMiddleware:
    """Keeps a signed-in person on the second step of signing in (a code from their app, or
    setting an app up where STAFF_2FA_REQUIRED asks it) until it is done; they may still sign
    out.

    A middleware rather than a decorator: staff pages live in every app above this one and in
    Django's admin, and one page that forgot the decorator would let a person past the
    password alone. Goes after django-otp's OTPMiddleware, which tells whether they are
    verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        step = two_factor.step_needed(request.user)
        if step is None or request.resolver_match.view_name in (STEP_PAGES[step], "logout"):
            return None
        return redirect_to_login(request.get_full_path(), reverse(STEP_PAGES[step]))


class TwoFactorSocketMiddleware(BaseMiddleware):
    """The same rule for sockets, which Django's middleware never sees: until a person has
    finished signing in, their sockets are opened as no one's, and the console and the wall
    refuse them as they refuse a visitor who has not signed in. Goes inside channels'
    AuthMiddlewareStack, which finds the user."""

    async def __call__(self, scope, receive, send):
        if scope["user"].is_authenticated and await _unfinished(scope["user"], scope["session"]):
            scope = {**scope, "user": AnonymousUser()}
        return await super().__call__(scope, receive, send)


@database_sync_to_async
def _unfinished(user, session):
    two_factor.verify_from_session(user, session)
    return two_factor.step_needed(user) is not None
