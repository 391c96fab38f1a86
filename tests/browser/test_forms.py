"""Forms people already know, in a real browser at 1280×800: a form sent empty comes back with
"Error: " in the title and the error summary focused; each of its links moves focus to the
box it names; the whole journey works from the keyboard alone, and axe finds nothing wrong."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import assert_accessible, sign_in_analyst

ACTIVE_ID = "document.activeElement.id"


def follow_summary_link(page, text):
    """Tab from the focused summary to its link naming `text`, and press Enter."""
    for _ in range(10):
        page.keyboard.press("Tab")
        if text in page.evaluate("document.activeElement.textContent || ''"):
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"No link in the error summary says “{text}”")


def test_a_new_workshop_sent_empty_then_corrected_from_the_keyboard(new_page, server_url):
    page = new_page()
    sign_in(page, server_url)
    page.click(".cards a")
    submit = page.get_by_role("button", name="Create workshop")
    submit.focus()
    page.keyboard.press("Enter")

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter the workshop’s title", "Enter the date and time the workshop starts"]
    )
    assert_accessible(("new workshop sent empty", page))

    follow_summary_link(page, "Enter the workshop’s title")
    assert page.evaluate(ACTIVE_ID) == "id_title"
    page.keyboard.type("Keyboard workshop")
    summary.focus()
    follow_summary_link(page, "Enter the date and time")
    assert page.evaluate(ACTIVE_ID) == "id_starts_at_0"
    expect(page.get_by_role("group", name="Start date and time")).to_be_in_viewport()

    for typed in ("31", "2", "2031", "18:30"):  # 31 February: not a real date
        page.keyboard.type(typed)
        page.keyboard.press("Tab")
    submit.focus()
    page.keyboard.press("Enter")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Start date and time must be a real date, like 27 3 2026"]
    )
    expect(page.locator("#id_starts_at_error")).to_contain_text("Error: Start date and time")
    expect(page.locator("#id_starts_at_2")).to_have_value("2031")  # what was typed is kept
    assert_accessible(("new workshop with a date that is not real", page))

    follow_summary_link(page, "must be a real date")
    page.keyboard.press("Control+A")
    page.keyboard.type("28")
    submit.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/facilitate/workshops/**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keyboard workshop")


def test_an_override_without_a_reason_shows_beside_the_reason_with_the_class_kept(
    new_page, server_url
):
    page = new_page()
    sign_in_analyst(page, server_url)
    page.goto(page.url.split("/analyse/")[0] + "/analyse/")
    page.click("main a[href*='/analyse/series/']")
    undecided = page.locator("p.verdict", has_not_text=re.compile("(confirmed|overridden) by"))
    item = page.locator("li.item").filter(has=undecided).first
    item.locator("summary", has_text="Confirm or change the class").click()
    select = item.locator("select[name=verdict]")
    chosen = select.evaluate("s => [...s.options].find(o => !o.selected).value")
    select.select_option(chosen)
    item.locator("textarea[name=reason]").fill("")
    item.get_by_role("button", name="Save decision").press("Enter")

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    follow_summary_link(page, "changing the suggested class")
    reason = page.locator("details[open] textarea[name=reason]")
    expect(reason).to_be_focused()
    expect(reason).to_be_in_viewport()
    expect(page.locator("details[open] select[name=verdict]")).to_have_value(chosen)
    assert_accessible(("override without a reason", page))
