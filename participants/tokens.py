"""Participants have no account: a signed cookie names their participant row in one workshop."""

from django.conf import settings
from django.core import signing

SALT = "participants.token"


def cookie_name(workshop):
    return f"cg_participant_{workshop.pk}"


def make_token(participant):
    return signing.dumps({"p": participant.pk, "w": participant.workshop_id}, salt=SALT)


def read_token(token, workshop):
    """The participant id in `token` if it was issued for `workshop`, else None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PARTICIPANT_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") != workshop.pk:
        return None
    return data.get("p")


def set_cookie(response, participant):
    response.set_cookie(
        cookie_name(participant.workshop),
        make_token(participant),
        max_age=settings.PARTICIPANT_TOKEN_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def participant_id_from_request(request, workshop):
    token = request.COOKIES.get(cookie_name(workshop))
    return read_token(token, workshop) if token else None
