from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role, landing", [("facilitator", "/facilitate/"), ("analyst", "/analyse/")]
)
def test_signing_in_lands_staff_on_their_page(client, role, landing):
    """After signing in, facilitators land on their series and analysts on theirs."""
    from tests.factories import UserFactory

    user = UserFactory(roles=[role])
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": "correct horse battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_wrong_password_is_a_clear_error(client, facilitator):
    response = client.post(
        "/accounts/login/", {"username": facilitator.username, "password": "nope"}
    )
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_a_user_without_a_role_is_told_no(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/facilitate/start/").status_code == 403


PASSWORD = "correct horse battery"


def sign_in(client, user, password, address="198.51.100.7", **headers):
    return client.post(
        "/accounts/login/",
        {"username": user.username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def test_wrong_passwords_lock_that_account_from_that_address_for_a_while(
    client, facilitator, settings
):
    """After LOGIN_FAILURE_LIMIT wrong passwords, even the right one waits, with a clear
    page that says for how long; 25 guesses never get in."""
    settings.AXES_FAILURE_LIMIT = 5
    statuses = [sign_in(client, facilitator, f"guess {n}").status_code for n in range(25)]
    assert statuses[:4] == [200] * 4 and set(statuses[4:]) == {429}
    locked = sign_in(client, facilitator, PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many sign-in attempts" in page and "paused for 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_the_pair_not_the_account(client, facilitator, settings):
    """Someone guessing from elsewhere cannot lock a facilitator out mid-session."""
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(6):
        sign_in(client, facilitator, f"guess {n}", address="203.0.113.66")
    assert sign_in(client, facilitator, PASSWORD).status_code == 302


def test_the_lock_is_over_after_the_cool_off(client, facilitator, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for n in range(6):
        sign_in(client, facilitator, f"guess {n}")
    assert sign_in(client, facilitator, PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert sign_in(client, facilitator, PASSWORD).status_code == 302


def test_behind_the_proxy_a_forged_forwarded_for_does_not_escape_the_lock(
    client, facilitator, settings
):
    """The address counted is the one the trusted proxy saw, as for join codes."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    statuses = [
        sign_in(
            client,
            facilitator,
            f"guess {n}",
            address="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        ).status_code
        for n in range(10)
    ]
    assert statuses.count(429) == 6
