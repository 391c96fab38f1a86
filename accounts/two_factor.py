"""Two-step sign-in for staff: after the password, a six-digit code from an authenticator app
(TOTP, through django-otp). Views and the middleware only call these.

A person has at most one device. Its secret is offered on the setup page and kept in the
session, not the database, until a code proves their app holds it: an abandoned setup leaves
no half-made device behind.
"""

import math
from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import audit
from accounts.permissions import Role, roles_of

SETUP_KEY_SESSION = "two_factor_setup_key"
WRONG_CODE = (
    "That code did not work. Codes change every 30 seconds: enter the one your app shows now."
)


def device_of(user):
    """The user's authenticator app, once confirmed; None if they have not set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def step_needed(user):
    """What a signed-in `user` must do before any staff page: "verify" (give a code),
    "setup" (set up an app, when STAFF_2FA_REQUIRED asks it of admins) or None."""
    if user.is_verified():
        return None
    if device_of(user) is not None:
        return "verify"
    if settings.STAFF_2FA_REQUIRED and Role.ADMIN in roles_of(user):
        return "setup"
    return None


def verify_from_session(user, session):
    """Mark `user` verified, or not, from the device this session gave a code from, as
    django-otp's OTPMiddleware does for requests: for sockets, which it never sees."""
    persistent_id = session.get(django_otp.DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    verified = device is not None and device.user_id == user.pk and device.confirmed
    user.otp_device = device if verified else None
    user.is_verified = lambda: verified


def setup_key(session):
    """The secret offered on the setup page: made once per session, so a reload or a wrong
    code does not change the QR code the person may already have scanned."""
    return session.setdefault(SETUP_KEY_SESSION, random_hex(20))


def setup_details(user, key):
    """The QR code (an SVG data URI) and the secret typed out, in groups of four, for those
    who cannot scan."""
    device = TOTPDevice(user=user, key=key)
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=6)
    secret = b32encode(device.bin_key).decode()
    return qr, " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_enable(*, request, code):
    """Switch two-step sign-in on with the secret offered in this session, once a code shows
    the person's app holds it; this session counts as verified."""
    key = setup_key(request.session)
    device = TOTPDevice(user=request.user, name="Authenticator app", key=key, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    if not totp.verify(int(code), tolerance=device.tolerance):
        raise ValidationError(WRONG_CODE)
    device.last_t = totp.t()  # the code just used cannot be used again to sign in
    device.drift = totp.drift
    device.save()
    del request.session[SETUP_KEY_SESSION]
    django_otp.login(request, device)
    audit.record("two_factor_enabled", request.user, actor=request.user)
    return device


def two_factor_verify(*, request, code):
    """The second step of signing in: a right code marks this session verified."""
    django_otp.login(request, _checked(request.user, code))


def two_factor_disable(*, request, code):
    """Switch two-step sign-in off; a code is asked for so that someone at an unattended
    computer cannot."""
    _checked(request.user, code).delete()
    audit.record("two_factor_disabled", request.user, actor=request.user)


def _checked(user, code):
    """The user's device, if `code` is right for it. django-otp throttles wrong codes: after
    each one the next is refused for twice as long as the last (1, 2, 4, 8… seconds)."""
    device = device_of(user)
    if device is None:
        raise ValidationError("Two-step sign-in is not switched on for your account.")
    allowed, detail = device.verify_is_allowed()
    if not allowed:
        raise ValidationError(_wait_message(detail["locked_until"]))
    # django-otp locks the device's row while it checks, so one code cannot be used twice.
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        raise ValidationError(WRONG_CODE)
    return verified


def _wait_message(until):
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    number, unit = (seconds, "second") if seconds < 120 else (math.ceil(seconds / 60), "minute")
    return f"Too many wrong codes. Please wait {number} {unit}{'s' * (number > 1)}, then try again."
