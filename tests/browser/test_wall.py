"""The wall in a real browser, at projector sizes: sizes readable from the back of a hall,
driven from the console by keyboard alone, and no axe violations in any of its modes."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, join, sign_in
from tests.browser.test_accessibility import assert_accessible, post_from, tab_to

HALL = {"width": 1920, "height": 1080}
SMALL_PROJECTOR = {"width": 1366, "height": 768}
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
LIVE_READY = "#live-region[data-live=ready]"

# CSS pixels each part of the wall needs at 1920 × 1080.
AT_1920 = {
    ".wall-post .contribution-text": 48,
    ".wall-post .wall-group": 32,
    ".wall-address": 32,
}
SIZES = """(selector) => {
  const el = document.querySelector(selector);
  return el ? parseFloat(getComputedStyle(el).fontSize) : null;
}"""


def open_console(new_page, server_url, viewport=HALL):
    console = new_page(viewport)
    sign_in(console, server_url)
    console.click("text=SEND reform workshops")
    console.click("text=National workshop")
    console.wait_for_selector("#console-feed")
    return console


def open_wall(new_page, server_url, viewport=HALL):
    console = open_console(new_page, server_url, viewport)
    wall = console.context.new_page()
    wall.goto(console.url + "wall/")
    # The live region lays its parts out in the page's grid: it has no box of its own.
    wall.wait_for_selector(LIVE_READY, state="attached")
    return console, wall


def show_on_wall(console, choice, prompt_label="The whole workshop"):
    """Choose what the wall shows from the console, with the keyboard alone."""
    console.get_by_label(choice).check()
    console.get_by_label("Results for").select_option(label=prompt_label)
    button = console.get_by_role("button", name="Show on the wall")
    button.focus()
    console.keyboard.press("Enter")
    console.wait_for_selector("#console-wall-title")


def press_console_button(console, name):
    button = console.get_by_role("button", name=name)
    button.focus()
    console.keyboard.press("Enter")
    either = re.compile("(Pause|Resume) the wall")
    expect(console.get_by_role("button", name=either)).to_be_visible()


@pytest.fixture
def reset_wall(new_page, server_url):
    """Leave the demo's wall showing posts, unpaused, for the other browser tests."""
    yield
    console = open_console(new_page, server_url)
    show_on_wall(console, "Posts as they come")
    if console.get_by_role("button", name="Resume the wall").count():
        press_console_button(console, "Resume the wall")


@pytest.mark.parametrize("viewport", [HALL, SMALL_PROJECTOR], ids=["1920", "1366"])
def test_wall_sizes_read_from_the_back_of_a_hall(new_page, server_url, viewport):
    """Post text 48 px, group labels 32 px, QR code 320 px at 1920 px wide, and the same
    in proportion on a 1366 px projector; the address on one line; the timer 64 px."""
    console, wall = open_wall(new_page, server_url, viewport)
    scale = viewport["width"] / HALL["width"]
    for selector, pixels in AT_1920.items():
        size = wall.evaluate(SIZES, selector)
        assert size is not None, f"{selector} is not on the wall"
        assert size >= pixels * scale - 0.5, f"{selector}: {size} px at {viewport['width']}"
    qr = wall.locator("img.qr").bounding_box()
    assert qr["width"] >= 320 * scale - 1
    address = wall.locator(".wall-address")
    assert address.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    box = address.bounding_box()
    assert box["height"] < 2 * wall.evaluate(SIZES, ".wall-address")  # one line
    timer = console.get_by_label(re.compile("Timer"), exact=False).first
    timer.fill("5")
    timer.press("Enter")
    wall.wait_for_selector(".wall-timer-time")
    assert wall.evaluate(SIZES, ".wall-timer-time") >= 64 * scale - 0.5


def test_console_drives_pause_and_results_by_keyboard_and_axe_passes(
    new_page, server_url, reset_wall
):
    """Paused from the console, the wall holds still and counts what waits; resumed, it
    catches up; in results mode it shows common ground and where we differ. axe finds
    nothing in any mode, nor after a live update."""
    console, wall = open_wall(new_page, server_url)
    IMAGES.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=IMAGES / "wall-live.png")
    assert_accessible(("wall showing posts at 1920px", wall))

    tab_to(console, "el => el.textContent.trim() === 'Pause the wall'", "the pause button")
    console.keyboard.press("Enter")
    expect(console.get_by_role("button", name="Resume the wall")).to_be_visible()
    expect(wall.locator("#wall-waiting")).to_have_text(re.compile(r"Paused · 0 new posts"))

    phone = new_page(PHONE)
    join(phone, server_url, group="Young person")
    text = "Posted while the wall was paused"
    post_from(phone, text)
    expect(console.locator("#console-feed .contribution", has_text=text)).to_be_visible()
    expect(wall.locator("#wall-waiting")).to_have_text("Paused · 1 new post waiting")
    expect(wall.locator(".contribution", has_text=text)).to_have_count(0)
    assert_accessible(("paused wall with a post waiting at 1920px", wall))

    press_console_button(console, "Resume the wall")
    expect(wall.locator(".contribution", has_text=text)).to_be_visible()
    expect(wall.locator("#wall-waiting")).to_be_hidden()
    assert_accessible(("wall after a live post at 1920px", wall))

    show_on_wall(console, "Results: common ground and where we differ")
    expect(wall.locator("#wall-results")).to_be_visible()
    expect(wall.get_by_role("heading", name="Common ground so far")).to_be_visible()
    expect(wall.get_by_role("heading", name="Where we differ")).to_be_visible()
    assert_accessible(("wall in results mode at 1920px", wall))

    # A vote re-draws the results live; axe again after the update.
    phone.locator("form[data-live-vote]").first.get_by_role(
        "button", name="Agree", exact=True
    ).click()
    wall.wait_for_timeout(1200)
    assert_accessible(("wall in results mode after a vote at 1920px", wall))
    wall.screenshot(path=IMAGES / "wall-results.png")

    first_question = console.locator("#wall-prompt option").nth(1).inner_text()
    show_on_wall(console, "Results: common ground and where we differ", first_question)
    expect(wall.locator(".wall-results-scope")).to_contain_text("Results:")
    assert "Results for the whole workshop" not in wall.locator(".wall-results-scope").inner_text()


# The slide of what we heard and the closed wall: every element a selector matches, measured.
SMALLEST_SIZE = """(selector) => {
  const sizes = [...document.querySelectorAll(selector)].map(
    (el) => parseFloat(getComputedStyle(el).fontSize));
  return sizes.length ? Math.min(...sizes) : null;
}"""
HEARD_AT_1920 = {
    ".wall-finding-title": 48,
    ".wall-finding-response": 48,
    ".wall-heard-follow .wall-address": 48,
    ".wall-finding-kind": 32,
    ".wall-heard-lead": 32,
}


def assert_on_one_line(wall, selector):
    address = wall.locator(selector)
    assert address.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    assert address.bounding_box()["height"] < 2 * wall.evaluate(SIZES, selector)


def test_what_we_heard_reads_from_the_back_of_a_hall(new_page, server_url, reset_wall):
    """The demo's published findings, each with where its latest response stands, main lines
    48 px and labels 32 px, every one whole on the screen under the results address and its
    QR code; axe finds nothing."""
    console, wall = open_wall(new_page, server_url)
    show_on_wall(console, "What we heard, and what happened")
    expect(console.locator(".console-wall")).to_contain_text("what we heard, and what happened")
    expect(wall.locator("#wall-heard")).to_be_visible()
    expect(wall.locator(".wall-finding")).to_have_count(3)
    expect(wall.locator(".wall-finding-response").first).to_contain_text(":")
    for selector, pixels in HEARD_AT_1920.items():
        size = wall.evaluate(SMALLEST_SIZE, selector)
        assert size is not None and size >= pixels - 0.5, f"{selector}: {size} px at 1920"
    top = wall.locator(".wall-heard-top").bounding_box()
    shown = wall.locator(".wall-findings").bounding_box()
    bottom = min(HALL["height"], shown["y"] + shown["height"])
    for finding in wall.locator(".wall-finding").all():
        box = finding.bounding_box()
        assert top["y"] + top["height"] <= box["y"], "a finding runs under the address"
        assert box["y"] + box["height"] <= bottom, "a finding is cut off at the bottom"
    assert wall.locator("img.wall-heard-qr").bounding_box()["width"] >= 240
    assert_on_one_line(wall, ".wall-heard-follow .wall-address")
    assert wall.locator("img.wall-heard-qr").evaluate("img => img.complete && img.naturalWidth")
    assert_accessible(("wall showing what we heard at 1920px", wall))
    IMAGES.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=IMAGES / "wall-heard.png")


@pytest.fixture
def reopen_workshop(new_page, server_url):
    """Open the demo's workshop again for the other browser tests, its questions as they were."""
    yield
    console = open_console(new_page, server_url)
    if console.get_by_role("button", name="Reopen workshop").count():
        console.get_by_role("button", name="Reopen workshop").click()
        expect(console.get_by_role("link", name="Close workshop")).to_be_visible()


def test_a_closed_workshops_wall_says_where_to_see_what_happens_next(
    new_page, server_url, reopen_workshop
):
    """Closing the workshop turns the wall, live, to thanks with the results address on one
    line and a QR code of at least 320 px, in place of the join address; so does a reload."""
    console, wall = open_wall(new_page, server_url)
    console.get_by_role("link", name="Close workshop").click()
    console.get_by_role("button", name="Close workshop").click()
    expect(console.get_by_role("button", name="Reopen workshop")).to_be_visible()
    for _ in ("live", "reloaded"):
        expect(wall.locator("#wall-closed")).to_be_visible()
        expect(wall.get_by_role("heading", name="Thank you")).to_be_visible()
        expect(wall.locator(".wall-closed-next")).to_have_text("See what happens next at")
        expect(wall.locator("#wall-closed .wall-address")).to_contain_text("/r/HEARD25")
        expect(wall.locator(".wall-join h1")).to_be_hidden()
        expect(wall.locator(".wall-join img.qr")).to_be_hidden()
        qr = wall.locator("img.wall-closed-qr")
        assert qr.evaluate("img => img.complete && img.naturalWidth")
        assert qr.bounding_box()["width"] >= 320
        assert_on_one_line(wall, "#wall-closed .wall-address")
        assert wall.evaluate(SIZES, "#wall-closed .wall-address") >= 48
        assert_accessible(("wall of a closed workshop at 1920px", wall))
        wall.reload()
        wall.wait_for_selector(LIVE_READY, state="attached")
    wall.screenshot(path=IMAGES / "wall-closed.png")
