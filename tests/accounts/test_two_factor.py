from base64 import b32encode
from datetime import timedelta

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry
from tests.accounts.helpers import code_for, sign_in, wrong_code
from tests.factories import UserFactory
from tests.helpers import new_client

pytestmark = pytest.mark.django_db

SETUP, VERIFY, TURN_OFF = (
    reverse("two_factor_setup"),
    reverse("two_factor_verify"),
    reverse("two_factor_disable"),
)
STAFF_PAGE = reverse("facilitation:series_list")


def signed_in(client, user):
    """Through the form, as a person signs in: password, and nothing more yet."""
    assert sign_in(client, user).status_code == 302
    return client


def offered_key(client):
    """The secret the setup page offers this browser (kept in its session)."""
    client.get(SETUP)
    return client.session["two_factor_setup_key"]


# Setting up


def test_the_setup_page_shows_a_qr_code_and_the_key_typed_out(client, facilitator):
    page = signed_in(client, facilitator).get(SETUP).content.decode()
    key = client.session["two_factor_setup_key"]
    assert 'src="data:image/svg+xml' in page and 'alt="QR code to add Common Ground' in page
    typed = b32encode(bytes.fromhex(key)).decode()
    assert " ".join(typed[i : i + 4] for i in range(0, 32, 4)) in page
    assert client.get(SETUP).content.decode().count(typed[:4]) == 1  # the same key on reload
    assert not TOTPDevice.objects.exists()  # nothing is saved until a code has worked


def test_a_right_code_switches_it_on(client, facilitator):
    signed_in(client, facilitator)
    key = offered_key(client)
    response = client.post(SETUP, {"code": code_for(key)}, follow=True)
    assert "Two-step sign-in is on" in response.content.decode()
    device = TOTPDevice.objects.get(user=facilitator)
    assert device.confirmed and device.key == key
    assert client.get(STAFF_PAGE).status_code == 200  # this session needs no second code
    assert AuditEntry.objects.filter(action="two_factor_enabled", actor=facilitator).exists()


@pytest.mark.parametrize(
    "typed, error",
    [
        ("", "Enter the 6-digit code your authenticator app shows."),
        ("12345", "The code must be 6 numbers, for example 123456."),
        ("abcdef", "The code must be 6 numbers, for example 123456."),
        (None, "That code did not work. Codes change every 30 seconds"),
    ],
)
def test_a_bad_code_at_setup_is_a_clear_error_and_switches_nothing_on(
    client, facilitator, typed, error
):
    signed_in(client, facilitator)
    key = offered_key(client)
    response = client.post(SETUP, {"code": wrong_code(key) if typed is None else typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Set up two-step sign-in" in page
    assert error in page and 'href="#id_code"' in page
    assert client.session["two_factor_setup_key"] == key  # the QR code scanned still holds
    assert not TOTPDevice.objects.exists()


def test_spaces_in_a_code_do_not_matter(client, facilitator):
    signed_in(client, facilitator)
    code = code_for(offered_key(client))
    client.post(SETUP, {"code": f" {code[:3]} {code[3:]} "})
    assert TOTPDevice.objects.filter(user=facilitator, confirmed=True).exists()


# Signing in


def test_with_an_app_the_password_alone_reaches_no_staff_page(client, facilitator, device):
    response = sign_in(client, facilitator, next=STAFF_PAGE)
    assert response.url == STAFF_PAGE
    for page in (STAFF_PAGE, reverse("admin:index"), SETUP, TURN_OFF):
        refused = client.get(page)
        assert refused.status_code == 302 and refused.url.startswith(VERIFY + "?next="), page
    assert "Enter the code from your authenticator app" in client.get(VERIFY).content.decode()


def test_the_right_code_goes_on_to_the_page_asked_for(client, facilitator, device):
    sign_in(client, facilitator)
    asked = client.get(STAFF_PAGE)
    response = client.post(asked.url, {"code": code_for(device.key), "next": STAFF_PAGE})
    assert response.status_code == 302 and response.url == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_next_page_on_another_site_is_ignored(client, facilitator, device):
    sign_in(client, facilitator)
    response = client.post(
        VERIFY, {"code": code_for(device.key), "next": "https://evil.example.org/"}
    )
    assert response.url == reverse("facilitation:staff_home")


@pytest.mark.parametrize(
    "typed, error",
    [
        ("", "Enter the 6-digit code"),
        ("12 34", "The code must be 6 numbers"),
        ("1" * 300, "The code must be 6 numbers"),
    ],
)
def test_a_bad_code_at_sign_in_is_a_clear_error(client, facilitator, device, typed, error):
    sign_in(client, facilitator)
    response = client.post(VERIFY, {"code": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Enter your code" in page and error in page
    assert client.get(STAFF_PAGE).status_code == 302


def test_wrong_codes_are_refused_and_then_slowed_down(client, facilitator, device):
    """django-otp's throttle: after a wrong code even the right one waits a moment, and each
    further wrong code doubles the wait."""
    sign_in(client, facilitator)
    wrong = client.post(VERIFY, {"code": wrong_code(device.key)})
    assert wrong.status_code == 400
    assert "That code did not work." in wrong.content.decode()
    waiting = client.post(VERIFY, {"code": code_for(device.key)})
    assert "Too many wrong codes. Please wait 1 second, then try again." in (
        waiting.content.decode()
    )
    assert client.get(STAFF_PAGE).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_timestamp -= timedelta(seconds=2)
    device.save()
    assert client.post(VERIFY, {"code": code_for(device.key)}).status_code == 302
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_code_signs_in_once(client, facilitator, device):
    """A code seen over someone's shoulder cannot be used again."""
    code = code_for(device.key)
    sign_in(client, facilitator)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = new_client()
    sign_in(other, facilitator)
    assert "That code did not work." in other.post(VERIFY, {"code": code}).content.decode()


def test_halfway_through_signing_in_one_can_still_sign_out(client, facilitator, device):
    sign_in(client, facilitator)
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_without_an_app_nothing_changes(client, facilitator):
    signed_in(client, facilitator)
    assert client.get(STAFF_PAGE).status_code == 200
    assert client.get(VERIFY).url == reverse("facilitation:staff_home")


def test_the_pages_are_for_signed_in_staff(client):
    for page in (SETUP, VERIFY, TURN_OFF):
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# Turning it off


def test_a_right_code_turns_it_off(client, facilitator, device):
    sign_in(client, facilitator)
    client.post(VERIFY, {"code": code_for(device.key)})
    assert "Turn off two-step sign-in" in client.get(SETUP).content.decode()
    response = client.post(TURN_OFF, {"code": code_for(device.key, ahead=1)}, follow=True)
    assert "Two-step sign-in is off" in response.content.decode()
    assert not TOTPDevice.objects.exists()
    assert AuditEntry.objects.filter(action="two_factor_disabled", actor=facilitator).exists()
    client.post(reverse("logout"))
    signed_in(client, facilitator)
    assert client.get(STAFF_PAGE).status_code == 200  # the password alone, again


@pytest.mark.parametrize("typed", ["", "123", None])
def test_a_bad_code_leaves_it_on(client, facilitator, device, typed):
    sign_in(client, facilitator)
    client.post(VERIFY, {"code": code_for(device.key)})
    response = client.post(TURN_OFF, {"code": wrong_code(device.key) if typed is None else typed})
    assert response.status_code == 400
    assert "<title>Error: Turn off two-step sign-in" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


# When admins must use it


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=["admin", "facilitator"])


def test_required_admins_set_it_up_before_anything_else(client, admin_user, settings):
    settings.STAFF_2FA_REQUIRED = True
    signed_in(client, admin_user)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and response.url.startswith(SETUP + "?next=")
    page = client.get(response.url).content.decode()
    assert "Organisation admins must use two-step sign-in" in page
    assert client.get(reverse("admin:index")).url.startswith(SETUP)
    key = client.session["two_factor_setup_key"]
    done = client.post(SETUP, {"code": code_for(key), "next": STAFF_PAGE})
    assert done.url == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_required_applies_to_superusers_too(client, settings):
    settings.STAFF_2FA_REQUIRED = True
    superuser = UserFactory(is_superuser=True, is_staff=True)
    signed_in(client, superuser)
    assert client.get(reverse("admin:index")).url.startswith(SETUP)


def test_required_leaves_other_staff_and_optional_admins_alone(client, facilitator, settings):
    settings.STAFF_2FA_REQUIRED = True
    signed_in(client, facilitator)
    assert client.get(STAFF_PAGE).status_code == 200
    settings.STAFF_2FA_REQUIRED = False
    admin = new_client()
    signed_in(admin, UserFactory(roles=["admin", "facilitator"]))
    assert admin.get(STAFF_PAGE).status_code == 200
