import pytest

pytestmark = pytest.mark.django_db


def test_home_page_asks_for_a_code(client):
    """The front page is the join form."""
    response = client.get("/")
    assert response.status_code == 200
    assert b"Workshop code" in response.content
