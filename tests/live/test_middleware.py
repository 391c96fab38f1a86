"""Re-sync fragments are never stored as the page: a page and its fragment from one URL."""

import pytest
from django.urls import reverse

from tests.factories import make_workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def varies_on_htmx(response):
    return "hx-request" in response.headers.get("Vary", "").lower()


def no_store(response):
    return "no-store" in response.headers.get("Cache-Control", "")


def assert_page_and_fragment(client, url):
    page = client.get(url)
    fragment = client.get(url, headers=HTMX)
    assert page.status_code == fragment.status_code == 200
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert varies_on_htmx(page) and varies_on_htmx(fragment)
    assert no_store(fragment)
    # The whole page may still be cached as browsers do; only fragments must never be.
    assert not no_store(page)


def test_phone_feed_page_and_fragment_carry_the_right_headers(participant_client, workshop):
    """The phone feed: Vary on both, no-store on the fragment only."""
    url = reverse("participants:workshop", args=[workshop.join_code])
    assert_page_and_fragment(participant_client, url)


def test_console_page_and_fragment_carry_the_right_headers(client, facilitator):
    """The facilitator console: Vary on both, no-store on the fragment only."""
    workshop = make_workshop()
    client.force_login(facilitator)
    assert_page_and_fragment(client, reverse("facilitation:console", args=[workshop.pk]))


@pytest.mark.parametrize("value", ["false", "", "1", "TRUE"])
def test_a_header_that_is_not_htmx_gets_the_page_and_may_be_cached(
    participant_client, workshop, value
):
    """Only `HX-Request: true` (django-htmx's test, as the views') marks a fragment."""
    url = reverse("participants:workshop", args=[workshop.join_code])
    response = participant_client.get(url, headers={"HX-Request": value})
    assert b"<html" in response.content
    assert varies_on_htmx(response) and not no_store(response)


def test_an_htmx_post_answer_is_not_stored_either(participant_client, workshop):
    """A fragment answering a post (a refused one here) is no-store too."""
    url = reverse("participants:contribute", args=[workshop.join_code])
    response = participant_client.post(url, {"prompt": "nonsense"}, headers=HTMX)
    assert response.status_code == 400
    assert no_store(response) and varies_on_htmx(response)
