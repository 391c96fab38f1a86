"""Easy Read on a phone: chosen once, kept in a cookie for the whole site.

It is the person's need, not the room's, so the same phone stays in Easy Read in every
workshop it joins; a workshop's own default only applies to phones that have not chosen.
"""

from django.conf import settings

COOKIE = "cg_easy_read"
MAX_AGE = 365 * 24 * 60 * 60
CHOICES = {"on": True, "off": False}


def is_on(request, workshop):
    chosen = CHOICES.get(request.COOKIES.get(COOKIE))
    return workshop.easy_read_default if chosen is None else chosen


def remember(response, *, on):
    response.set_cookie(
        COOKIE,
        "on" if on else "off",
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
