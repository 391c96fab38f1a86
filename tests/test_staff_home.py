import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "role, landing", [("Facilitators", "/facilitate/"), ("Analysts", "/analyse/")]
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
