"""Easy Read on a phone (390 × 844), with the keyboard alone: switched on at the join page,
kept after joining, used to vote, and switched off again; axe finds nothing in Easy Read."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import (
    CODE,
    assert_accessible,
    focus_problem,
    tab_to,
    wait_until_live,
)

DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "images"
EASY_READ = re.compile(r"\bphone-easy-read\b")
SWITCH = "el => el.name === 'easy_read'"


def press_switch(page):
    """Tab to the switch, press it, and wait for the page to come back drawn anew."""
    tab_to(page, SWITCH, "the Easy Read switch")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def join_with_the_keyboard(page):
    tab_to(page, "el => el.name === 'group'", "the first group's radio button")
    page.keyboard.press("Space")
    tab_to(page, "el => el.id === 'id_consent'", "the consent box")
    page.keyboard.press("Space")
    tab_to(page, "el => el.matches('main button[type=submit]:not([name])')", "Join the workshop")
    page.keyboard.press("Enter")
    wait_until_live(page)


def vote_with_the_keyboard(page, predicate, what, choice):
    tab_to(page, predicate, what)
    post = page.evaluate("document.activeElement.closest('.contribution').id")
    page.keyboard.press("Enter")
    expect(page.locator(f"#{post} button[value={choice}]")).to_have_attribute(
        "aria-pressed", "true"
    )
    return post


def test_easy_read_with_the_keyboard_only(new_page, server_url):
    """The switch is a toggle button: pressed with Enter, the join page comes back in Easy
    Read with the next Tab on the switch; the feed keeps it after joining; the vote buttons
    show a symbol and a word, and a vote's choice is pressed; axe finds no violation."""
    page = new_page(PHONE)
    page.goto(f"{server_url}/w/{CODE}/")
    switch = page.get_by_role("button", name="Easy Read")
    expect(switch).to_have_attribute("aria-pressed", "false")

    press_switch(page)
    expect(page.locator("body")).to_have_class(EASY_READ)
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#how-used ~ ul")).to_contain_text("You can stop at any time.")
    # The page comes back at the switch: the next Tab lands on it, not at the top.
    page.keyboard.press("Tab")
    assert page.evaluate(f"({SWITCH})(document.activeElement)"), "focus did not resume there"
    assert_accessible(("join page in Easy Read", page))

    join_with_the_keyboard(page)
    expect(page.locator("body")).to_have_class(EASY_READ)
    expect(switch).to_have_attribute("aria-pressed", "true")
    # Questions in their Easy Read words, not the standard "… what worries you?".
    first_question = page.locator("section.prompt h2").first
    expect(first_question).not_to_contain_text("What would help, and what worries you?")

    post = vote_with_the_keyboard(
        page,
        "el => el.value === 'agree' && !el.closest('.mine')"
        " && el.getAttribute('aria-pressed') === 'false'",
        "an Agree button on someone else's post",
        "agree",
    )
    expect(page.locator(f"#{post}")).to_contain_text("You chose: Agree")
    assert not focus_problem(page, "voting Agree", f"#{post}")
    buttons = page.locator(f"#{post} .vote button")
    for index, word in enumerate(["Agree", "Disagree", "Not sure"]):
        expect(buttons.nth(index)).to_have_accessible_name(re.compile(rf"^\W*{word}$"))
        expect(buttons.nth(index).locator(".vote-symbol")).to_be_visible()

    vote_with_the_keyboard(
        page, f"el => el.value === 'pass' && el.closest('#{post}')", "Not sure", "pass"
    )
    expect(page.locator(f"#{post} .hint:visible")).to_have_text(
        "You chose: Not sure. You can change it."
    )
    assert_accessible(("feed in Easy Read", page))

    # One phone screen ending under the voted post: its buttons, and above them the question.
    box = page.locator(f"#{post}").bounding_box()
    top = box["y"] + box["height"] + page.evaluate("window.scrollY") + 16 - PHONE["height"]
    DOCS_IMAGES.mkdir(exist_ok=True)
    page.screenshot(
        path=DOCS_IMAGES / "phone-easy-read.png", full_page=True, clip={"x": 0, "y": top, **PHONE}
    )

    # Off again, from the top of the page, as someone coming back to it would.
    page.goto(f"{server_url}/w/{CODE}/")
    wait_until_live(page)
    press_switch(page)
    wait_until_live(page)
    expect(page.locator("body")).not_to_have_class(EASY_READ)
    expect(switch).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#{post} button[value=pass]")).to_have_accessible_name(
        re.compile(r"^\W*Pass$")
    )
    expect(page.locator(f"#{post} .vote-symbol").first).to_be_hidden()
