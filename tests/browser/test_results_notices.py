"""Following a series' results by email, in a real browser on a 320 px screen: the form with
its errors, the confirm and the unsubscribe pages have no axe violations and nothing wider
than the screen, and the form is filled and sent with the keyboard alone."""

import pytest
from playwright.sync_api import expect

from bench.servers import daphnes, database
from demo.seed import RESULTS_CODE
from tests.browser.test_accessibility import VIEWPORTS, assert_accessible, tab_to
from tests.browser.test_console import run_in_app

NARROW = VIEWPORTS["320"]
TOKEN = "browser-test-token-of-an-address"
KEPT_ADDRESS = f"""
from synthesis.models import ResultsSubscription
from workshops.models import Series
ResultsSubscription.objects.create(
    series=Series.objects.get(results_code="{RESULTS_CODE}"),
    email="kept@example.org",
    token="{TOKEN}",
)
print("kept")
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    logs = tmp_path_factory.mktemp("notices-logs")
    with database() as url, daphnes(url, log_folder=logs) as ports:
        run_in_app(url, KEPT_ADDRESS)
        yield f"http://127.0.0.1:{ports[0]}"


def assert_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_the_form_and_its_errors_are_accessible_at_320_px(new_page, app):
    page = new_page(NARROW)
    page.goto(f"{app}/r/{RESULTS_CODE}/follow/")
    page.fill("#follow-email", "not an address")
    page.get_by_role("button", name="Email me about changes").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_role("link", name="Tick the box to say we may keep")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_fits(page)
    assert_accessible(("follow form with errors", page))


def test_someone_follows_by_email_with_the_keyboard_alone(new_page, app):
    page = new_page(NARROW)
    page.goto(f"{app}/r/{RESULTS_CODE}/follow/")
    tab_to(page, "el => el.id === 'follow-email'", "the email box")
    page.keyboard.type("keyboard@example.org")
    tab_to(page, "el => el.id === 'follow-consent'", "the consent tick")
    page.keyboard.press("Space")
    tab_to(page, "el => el.type === 'submit'", "the send button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_fits(page)
    assert_accessible(("check your email", page))


def test_the_confirm_and_unsubscribe_pages_are_accessible_at_320_px(new_page, app):
    confirm = new_page(NARROW)
    confirm.goto(f"{app}/r/{RESULTS_CODE}/confirm/{TOKEN}/")
    expect(confirm.get_by_role("button", name="Confirm")).to_be_visible()
    assert_fits(confirm)
    unsubscribe = new_page(NARROW)
    unsubscribe.goto(f"{app}/r/{RESULTS_CODE}/unsubscribe/{TOKEN}/")
    expect(unsubscribe.get_by_role("button", name="Unsubscribe")).to_be_visible()
    assert_fits(unsubscribe)
    assert_accessible(("confirm", confirm), ("unsubscribe", unsubscribe))
