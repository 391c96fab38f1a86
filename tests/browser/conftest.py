"""Browser tests: Debian's Chromium, driven by Playwright, against real daphne processes."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from bench.servers import daphnes, database

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach the network, which this machine refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).parent / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory):
    """One demo-seeded app for the session (fresh database, real daphne, real sockets)."""
    logs = tmp_path_factory.mktemp("daphne-logs")
    with database() as url, daphnes(url, log_folder=logs, CONTRIBUTIONS_PER_MINUTE="1000") as ports:
        yield f"http://127.0.0.1:{ports[0]}"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_page(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def sign_in(page, server_url, username="facilitator", password="facilitator-demo"):
    page.goto(f"{server_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/facilitate/**")


def join(page, server_url, code="SEND25", group="Parent carer forum"):
    page.goto(f"{server_url}/")
    page.fill("#id_code", code)
    page.click("button[type=submit]")
    page.get_by_label(group).check()
    page.get_by_label("I am happy for what I write").check()
    page.click("text=Join the workshop")
    page.wait_for_selector("#live-region[data-live=ready]")
