"""The phone never surprises: a closed question stays, read-only, and the post box counts
characters the GOV.UK way, keeping over-long text and explaining it."""

import contextlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.servers import daphnes, database
from tests.browser.conftest import PHONE, join, sign_in
from tests.browser.test_accessibility import assert_accessible

DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "images"
PASTE = "".join(f"{n % 10}" for n in range(5000))


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """An app of its own: these tests open and close the demo's questions, which the shared
    app's other tests rely on."""
    logs = tmp_path_factory.mktemp("daphne-phone-logs")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(database())
        ports = stack.enter_context(daphnes(url, log_folder=logs))
        yield f"http://127.0.0.1:{ports[0]}"


def open_console(page, app_url):
    sign_in(page, app_url)
    page.click("text=SEND reform workshops")
    page.click("text=National workshop")
    page.wait_for_selector("#console-feed")


def toggle(console, prompt_id):
    console.locator(f"form[action$='/prompts/{prompt_id}/toggle/'] button").click()
    console.wait_for_selector("#console-feed")


def paste(page, box, text):
    """A real paste from the clipboard, as a person's long text arrives."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    box.focus()
    page.keyboard.press("End")
    page.keyboard.press("Control+V")


def test_a_closed_question_stays_and_the_box_counts_without_cutting(new_page, app_url):
    """Closed from the console, a question stays on the phone, read-only, with the phone's own
    post; the open question's box counts down, keeps a 5,000-character paste whole, says how
    many characters too many, and sends nothing."""
    console = new_page()
    open_console(console, app_url)
    phone = new_page(PHONE)
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    join(phone, app_url)
    was_open = [
        section.get_attribute("id").removeprefix("prompt-")
        for section in phone.locator("section.prompt:not(.prompt-closed)").all()
    ]
    mine = "Waiting lists for assessments are the first thing to fix"
    phone.locator(f"#answer-{was_open[0]}").fill(mine)
    phone.locator("form[data-live-post] button[type=submit]").first.click()
    expect(phone.locator(".contribution.mine", has_text=mine)).to_be_visible()

    # A question nobody has used yet opens; those that were open close.
    on_phone = phone.locator("section.prompt").evaluate_all("found => found.map(s => s.id)")
    fresh = console.locator("form[action$='/toggle/']").evaluate_all(
        "forms => forms.map(f => f.action.split('/prompts/')[1].split('/')[0])"
    )
    fresh = next(prompt_id for prompt_id in fresh if f"prompt-{prompt_id}" not in on_phone)
    toggle(console, fresh)
    for prompt_id in was_open:
        toggle(console, prompt_id)

    closed = phone.locator(f"#prompt-{was_open[0]}")
    expect(closed).to_contain_text("This question is closed")
    expect(closed.locator(".contribution.mine")).to_have_text(re.compile(mine))
    expect(closed.locator("textarea, button")).to_have_count(0)
    for prompt_id in was_open:
        expect(phone.locator(f"#prompt-{prompt_id}.prompt-closed")).to_be_visible()
    open_section = phone.locator("section.prompt:not(.prompt-closed)")
    expect(open_section).to_have_count(1)

    box = open_section.locator("textarea[name=text]")
    box_id = box.get_attribute("id")
    shown = phone.locator(f"#{box_id}-count")
    spoken = phone.locator(f"#{box_id}-count-spoken")
    expect(shown).to_have_text("You have 1,000 characters remaining")
    expect(phone.locator(f"#{box_id}-info")).to_have_text("You can enter up to 1,000 characters")
    box.click()
    phone.keyboard.type("Hello")
    expect(shown).to_have_text("You have 995 characters remaining")
    # Debounced: screen readers hear the count once typing pauses, not per key.
    assert spoken.text_content() == ""
    expect(spoken).to_have_text("You have 995 characters remaining")

    paste(phone, box, PASTE)
    expect(shown).to_have_text("You have 4,005 characters too many")
    expect(spoken).to_have_text("You have 4,005 characters too many")
    expect(box).to_have_value("Hello" + PASTE)
    expect(box).to_have_class(re.compile("over-limit"))
    assert_accessible(("phone with a closed question and too many characters", phone))
    DOCS_IMAGES.mkdir(exist_ok=True)
    # One phone screen, from the box down to the closed question's own post.
    top = open_section.locator("label").bounding_box()["y"] + phone.evaluate("scrollY") - 8
    phone.screenshot(
        path=DOCS_IMAGES / "phone-closed-question.png",
        full_page=True,
        clip={"x": 0, "y": top, **PHONE},
    )

    open_section.locator("button[type=submit]").click()
    expect(open_section.locator(".form-status")).to_have_text(
        "Please keep it to 1,000 characters or fewer (you have 5,005)."
    )
    expect(box).to_have_value("Hello" + PASTE)
    expect(phone.locator(".contribution.queued")).to_have_count(0)
