"""The public results page and its Easy Read version on a phone (390 x 844): the demo
series' published report with responses, and a series with nothing published yet. axe-core
finds no violations, every link is reached with the keyboard, and nothing but the overview
table (which scrolls in its own region) is wider than a 320 px screen. Following the results
by email, on a 320 px screen: the form with its errors, the confirm and the unsubscribe pages
have no axe violations and nothing wider than the screen, and the form is filled and sent
with the keyboard alone.

The module runs its own app, the demo plus one series with nothing published and one kept
address, and saves the screenshots the docs show: docs/images/results.png and
results-easy-read.png.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.servers import daphnes, database
from demo.seed import RESULTS_CODE
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import VIEWPORTS, assert_accessible, tab_to
from tests.browser.test_console import run_in_app

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
NOT_YET = "Results will appear here when the organisers publish them."

UNPUBLISHED_SERIES = """
from workshops.models import Series
demo = Series.objects.get(results_code="{code}")
series = Series.objects.create(
    name="Preparing for adulthood workshops", framework=demo.framework,
    organisation=demo.organisation,
)
print(series.results_code)
"""


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
    logs = tmp_path_factory.mktemp("results-logs")
    with database() as url, daphnes(url, log_folder=logs) as ports:
        unpublished = run_in_app(url, UNPUBLISHED_SERIES.format(code=RESULTS_CODE))
        run_in_app(url, KEPT_ADDRESS)
        yield {"url": f"http://127.0.0.1:{ports[0]}", "unpublished": unpublished}


def open_results(new_page, app, code, easy_read=False, viewport=PHONE):
    page = new_page(viewport)
    page.goto(f"{app['url']}/r/{code}/{'easy-read/' if easy_read else ''}")
    return page


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_published_results_are_accessible_on_a_phone(new_page, app):
    page = open_results(new_page, app, RESULTS_CODE)
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("heading", name="Where this stands").first).to_be_visible()
    expect(page.locator(".results-quote").first).to_be_visible()
    expect(page.get_by_role("region", name="Views by recommendation and group")).to_be_visible()
    assert page.locator("link[rel=alternate][type='application/atom+xml']").count() == 1
    assert_accessible(("results", page))
    assert page_width(page) <= PHONE["width"]
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=IMAGES / "results.png", full_page=True)


def test_the_easy_read_results_are_accessible_on_a_phone(new_page, app):
    page = open_results(new_page, app, RESULTS_CODE, easy_read=True)
    expect(page.get_by_role("heading", name="What we are doing").first).to_be_visible()
    expect(page.get_by_role("link", name="Go to the standard version of this page")).to_be_visible()
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert size >= 20
    assert_accessible(("results in Easy Read", page))
    assert page_width(page) <= PHONE["width"]
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=IMAGES / "results-easy-read.png", full_page=True)


@pytest.mark.parametrize("easy_read", [False, True], ids=["standard", "easy-read"])
def test_results_not_yet_published_say_so_accessibly(new_page, app, easy_read):
    page = open_results(new_page, app, app["unpublished"], easy_read=easy_read)
    expect(page.locator("#not-yet")).to_contain_text(NOT_YET)
    expect(page.locator("#follow")).to_be_visible()
    assert_accessible(("results not yet published", page))


@pytest.mark.parametrize("easy_read", [False, True], ids=["standard", "easy-read"])
def test_every_link_is_reached_with_the_keyboard(new_page, app, easy_read):
    """Tab from the top reaches each link of the page in turn, each showing its focus."""
    page = open_results(new_page, app, RESULTS_CODE, easy_read=easy_read)
    links = page.locator("main a").evaluate_all("links => links.map(a => a.href)")
    assert any(href.endswith("/feed/") for href in links)
    for href in links:
        tab_to(page, f"el => el.href === {href!r}", href)


@pytest.mark.parametrize("easy_read", [False, True], ids=["standard", "easy-read"])
def test_the_pages_fit_a_320_px_screen(new_page, app, easy_read):
    page = open_results(
        new_page, app, RESULTS_CODE, easy_read=easy_read, viewport={"width": 320, "height": 640}
    )
    assert page_width(page) <= 320


# Following the results by email, on a 320 px screen.


def assert_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]


def test_the_form_and_its_errors_are_accessible_at_320_px(new_page, app):
    page = new_page(NARROW)
    page.goto(f"{app['url']}/r/{RESULTS_CODE}/follow/")
    page.fill("#follow-email", "not an address")
    page.get_by_role("button", name="Email me about changes").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_role("link", name="Tick the box to say we may keep")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_fits(page)
    assert_accessible(("follow form with errors", page))


def test_someone_follows_by_email_with_the_keyboard_alone(new_page, app):
    page = new_page(NARROW)
    page.goto(f"{app['url']}/r/{RESULTS_CODE}/follow/")
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
    confirm.goto(f"{app['url']}/r/{RESULTS_CODE}/confirm/{TOKEN}/")
    expect(confirm.get_by_role("button", name="Confirm")).to_be_visible()
    assert_fits(confirm)
    unsubscribe = new_page(NARROW)
    unsubscribe.goto(f"{app['url']}/r/{RESULTS_CODE}/unsubscribe/{TOKEN}/")
    expect(unsubscribe.get_by_role("button", name="Unsubscribe")).to_be_visible()
    assert_fits(unsubscribe)
    assert_accessible(("confirm", confirm), ("unsubscribe", unsubscribe))
