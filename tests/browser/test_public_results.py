"""The public results page and its Easy Read version on a phone (390 x 844): the demo
series' published report with responses, and a series with nothing published yet. axe-core
finds no violations, every link is reached with the keyboard, and nothing but the overview
table (which scrolls in its own region) is wider than a 320 px screen.

The module runs its own app, the demo plus one series with nothing published, and saves the
screenshots the docs show: docs/images/results.png and results-easy-read.png.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.servers import daphnes, database
from demo.seed import RESULTS_CODE
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import assert_accessible, tab_to
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


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    logs = tmp_path_factory.mktemp("results-logs")
    with database() as url, daphnes(url, log_folder=logs) as ports:
        unpublished = run_in_app(url, UNPUBLISHED_SERIES.format(code=RESULTS_CODE))
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
