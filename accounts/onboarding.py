from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_link(user, request=None):
    """A one-time link for `user` to choose a password: the password reset page's, which
    also serves people created with no password yet (new admins, invited members).

    Absolute on this request's host when given one, else on SITE_URL (from a command or a
    background task). It stops working once used, or once PASSWORD_RESET_TIMEOUT has passed.
    """
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path
