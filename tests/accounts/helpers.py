"""Signing in through the form, and codes an authenticator app would show."""

from django.urls import reverse
from django_otp.oath import totp

PASSWORD = "correct horse battery"


def sign_in(client, user, password=PASSWORD, **extra):
    """The sign-in form, as a browser sends it (django-axes counts each try)."""
    data = {"username": user.username, "password": password, **extra}
    return client.post(reverse("login"), data, REMOTE_ADDR="198.51.100.7")


def code_for(key, ahead=0):
    """The code an app holding the hex `key` shows now, or `ahead` steps of 30 s later
    (a code, once used, is refused: a second sign-in in one step needs the next one)."""
    return f"{totp(bytes.fromhex(key), drift=ahead):06d}"


def wrong_code(key):
    """Six digits that no app holding `key` shows around now."""
    near = {code_for(key, ahead) for ahead in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in near)
