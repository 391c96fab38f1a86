"""The phone never surprises: a closed question stays, read-only, and the post box counts
characters the GOV.UK way, keeping over-long text and explaining it."""

import contextlib
import json
import re
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from playwright.sync_api import expect

from bench.servers import daphnes, database
from tests.browser.conftest import PHONE, join, sign_in
from tests.browser.test_accessibility import assert_accessible

DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "images"
PASTE = "".join(f"{n % 10}" for n in range(5000))


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """An app of its own: these tests open and close the demo's questions, which the shared
    app's other tests rely on."""
    logs = tmp_path_factory.mktemp("daphne-phone-logs")
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(database())
        # Tasks (deleting a withdrawn post 10 s on) run in the app's own threads: no Celery
        # worker is started for these tests, whatever the services.
        ports = stack.enter_context(
            daphnes(
                url, log_folder=logs, CONTRIBUTIONS_PER_MINUTE="1000", BACKGROUND_TASKS="threads"
            )
        )
        yield SimpleNamespace(url=f"http://127.0.0.1:{ports[0]}", database=url)


@pytest.fixture(scope="module")
def app_url(app):
    return app.url


def open_console(page, app_url):
    sign_in(page, app_url)
    page.click("text=SEND reform workshops")
    page.click("text=National workshop")
    page.wait_for_selector("#console-feed")


def toggle(console, prompt_id):
    # A plain form: the next click waits for the page it brings back, or it could land on
    # the page being left and be lost.
    with console.expect_navigation():
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


OFFLINE = (
    "You\u2019re offline \u2014 this is saved on your phone and will be sent when you\u2019re back"
)


def post(page, text, section=None):
    section = section or page.locator("section.prompt:not(.prompt-closed)").first
    section.locator("textarea[name=text]").fill(text)
    section.locator("form[data-live-post] button[type=submit]").click()
    sent = page.locator(".contribution.mine:not(.queued)", has_text=text)
    expect(sent).to_be_visible()
    return sent.get_attribute("id")


def row_state(app, contribution_id):
    """The post's state as stored, or None once its row is deleted."""
    query = "SELECT state FROM participants_contribution WHERE id = %s"
    if app.database.startswith("sqlite:///"):
        path = app.database.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path)) as db:
            row = db.execute(query.replace("%s", "?"), [contribution_id]).fetchone()
    else:
        with psycopg.connect(app.database) as db:
            row = db.execute(query, [contribution_id]).fetchone()
    return row and row[0]


class Relay:
    """Stands between a page and the server's socket: can drop the next numbered frame, or
    cut the connection as a dead wifi does (nothing passes, nothing closes)."""

    def __init__(self, context):
        self.drop_next = False
        self.cut = False
        self.dropped = []
        context.route_web_socket(re.compile("/ws/"), self.handle)

    def handle(self, page_side):
        if self.cut:
            page_side.close()
            return
        server = page_side.connect_to_server()
        page_side.on_message(lambda message: None if self.cut else server.send(message))
        server.on_message(lambda message: self.to_page(page_side, message))

    def to_page(self, page_side, message):
        if self.cut:
            return
        if self.drop_next and '"count"' in message:
            self.drop_next = False
            self.dropped.append(json.loads(message))
            return
        page_side.send(message)


def test_a_page_that_misses_a_numbered_frame_re_syncs(new_page, app_url):
    """A frame lost on its way shows as a gap in the numbers: the page fetches its live
    region again, and the lost post appears all the same."""
    phone = new_page(PHONE)
    relay = Relay(phone.context)
    join(phone, app_url)
    other = new_page(PHONE)
    join(other, app_url, group="Health service")

    # A heartbeat (every 3 s) tells a newly opened page which number comes next.
    phone.wait_for_timeout(3500)
    relay.drop_next = True
    post(other, "Lost on the way to the phone")
    deadline = time.monotonic() + 10
    while not relay.dropped and time.monotonic() < deadline:
        phone.wait_for_timeout(100)
    assert relay.dropped and "Lost on the way" in json.dumps(relay.dropped)
    expect(phone.locator(".contribution", has_text="Lost on the way")).to_have_count(0)

    post(other, "The next one shows the gap")
    expect(phone.locator(".contribution", has_text="The next one shows the gap")).to_be_visible()
    expect(phone.locator(".contribution", has_text="Lost on the way")).to_be_visible()


def test_a_dead_connection_says_offline_within_10_s_and_sends_the_post_once_back(new_page, app_url):
    """Cut off with no close (the heartbeat stops), the phone says it is offline within
    10 s; a post written then waits on the phone and is sent once when it is back."""
    console = new_page()
    open_console(console, app_url)
    phone = new_page(PHONE)
    relay = Relay(phone.context)
    join(phone, app_url)
    blocked = []
    phone.context.route("**/w/**", lambda route: blocked.append(route) or route.abort())

    relay.cut = True
    started = time.monotonic()
    status = phone.locator("[data-live-status]")
    expect(status).to_have_text(OFFLINE, timeout=10_000)
    assert time.monotonic() - started <= 10
    expect(phone.locator("[role=status]", has=status)).to_have_count(1)

    text = "Written while the venue wifi was down"
    box = phone.locator("section.prompt:not(.prompt-closed) textarea[name=text]").first
    box.fill(text)
    phone.locator("form[data-live-post] button[type=submit]").first.click()
    queued = phone.locator(".contribution.queued", has_text=text)
    expect(queued).to_contain_text("Saved on your phone")
    assert_accessible(("phone offline with a post waiting", phone))

    phone.context.unroute("**/w/**")
    relay.cut = False
    expect(phone.locator(".contribution.mine:not(.queued)", has_text=text)).to_have_count(
        1, timeout=30_000
    )
    expect(status).to_be_hidden()
    expect(console.locator("#console-feed .contribution", has_text=text)).to_have_count(1)


def test_withdraw_asks_first_and_undo_within_10_s_brings_it_back_by_keyboard(
    new_page, app, app_url
):
    """Keyboard only: open "Withdraw this post", confirm, and the post leaves every phone;
    Undo (focused for you) brings it back. Withdrawn again and left, the Undo goes after
    10 s and the row is deleted."""
    phone = new_page(PHONE)
    join(phone, app_url)
    reader = new_page(PHONE)
    join(reader, app_url, group="Health service")
    post_id = post(phone, "I would rather say this another way")
    on_reader = reader.locator(f"#{post_id}")
    expect(on_reader).to_be_visible()

    mine = phone.locator(f"#{post_id}")
    mine.locator("summary").focus()
    phone.keyboard.press("Enter")
    expect(mine).to_contain_text("You can undo this for 10 seconds.")
    phone.keyboard.press("Tab")
    expect(mine.get_by_role("button", name="Yes, withdraw this post")).to_be_focused()
    phone.keyboard.press("Enter")

    notice = phone.locator(".withdrawn-notice")
    expect(notice).to_contain_text("Post withdrawn.")
    expect(mine).to_have_count(0)
    expect(on_reader).to_have_count(0)
    undo = notice.get_by_role("button", name=re.compile("^Undo"))
    expect(undo).to_be_focused()
    assert row_state(app, post_id.removeprefix("contribution-")) == "withdrawn"
    assert_accessible(("phone with a post just withdrawn", phone))
    phone.screenshot(path=DOCS_IMAGES / "phone-withdrawn.png", clip={"x": 0, "y": 0, **PHONE})
    phone.keyboard.press("Enter")

    expect(mine).to_be_visible()
    expect(on_reader).to_be_visible()
    expect(phone.locator("#withdrawn-notices")).to_contain_text("Your post is back.")
    assert row_state(app, post_id.removeprefix("contribution-")) == "visible"

    mine.locator("summary").click()
    mine.get_by_role("button", name="Yes, withdraw this post").click()
    expect(notice).to_be_visible()
    expect(notice).to_have_count(0, timeout=12_000)
    deadline = time.monotonic() + 5
    while row_state(app, post_id.removeprefix("contribution-")) and time.monotonic() < deadline:
        phone.wait_for_timeout(200)
    assert row_state(app, post_id.removeprefix("contribution-")) is None


def test_text_being_typed_survives_its_question_closing_and_own_votes_show(new_page, app_url):
    """Half-written when the facilitator closes its question, the text is kept on the phone
    and offered back, to copy or to move to a question still open. A vote the phone cast
    shows as chosen after a reload."""
    console = new_page()
    open_console(console, app_url)
    phone = new_page(PHONE)
    join(phone, app_url)
    # Two questions open, so there is one to move the words to.
    on_phone = phone.locator("section.prompt").evaluate_all("found => found.map(s => s.id)")
    fresh = console.locator("form[action$='/toggle/']").evaluate_all(
        "forms => forms.map(f => f.action.split('/prompts/')[1].split('/')[0])"
    )
    for prompt_id in [p for p in fresh if f"prompt-{p}" not in on_phone][:2]:
        toggle(console, prompt_id)
    open_sections = phone.locator("section.prompt:not(.prompt-closed)")
    expect(open_sections.nth(1)).to_be_visible()
    closing = open_sections.first.get_attribute("id").removeprefix("prompt-")

    words = "Half a thought about transport to school"
    phone.locator(f"#answer-{closing}").type(words)
    toggle(console, closing)

    kept = phone.locator(".unsent-draft")
    expect(kept).to_contain_text("Your unsent text")
    expect(kept.locator("textarea")).to_have_value(words)
    assert_accessible(("phone with text kept from a closed question", phone))
    top = kept.bounding_box()["y"] + phone.evaluate("scrollY") - 8
    phone.screenshot(
        path=DOCS_IMAGES / "phone.png", full_page=True, clip={"x": 0, "y": top, **PHONE}
    )

    phone.reload()
    phone.wait_for_selector("#live-region[data-live=ready]")
    expect(kept.locator("textarea")).to_have_value(words)
    move = kept.get_by_role("button", name=re.compile("^Send to")).first
    move.focus()
    phone.keyboard.press("Enter")
    expect(kept).to_have_count(0)
    target = phone.locator("section.prompt:not(.prompt-closed) textarea[name=text]:focus")
    expect(target).to_have_value(words)

    # Someone else's post to vote on, in a question still open.
    other = new_page(PHONE)
    join(other, app_url)
    post(other, "Someone else's view on transport to school")
    vote_form = phone.locator(".contribution", has_text="Someone else's view").locator(
        "form[data-live-vote]"
    )
    expect(vote_form).to_be_visible()
    vote_form.get_by_role("button", name="Disagree", exact=True).click()
    post_id = vote_form.get_attribute("data-live-vote")
    chosen = phone.locator(f"#contribution-{post_id} button[value=disagree]")
    expect(chosen).to_have_attribute("aria-pressed", "true")
    phone.reload()
    expect(chosen).to_have_attribute("aria-pressed", "true")
