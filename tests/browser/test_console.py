"""The facilitator's console under live pressure, at desktop size (1280 x 800): the approval
queue first, one line per post, Approve, Hide and Undo with the keyboard only, merging by
search, and the questions asked before closing a workshop or erasing someone. axe-core
finds no violations on any of it.

The module runs its own app, the demo plus a workshop of fifty posts (three waiting for
approval), so what it changes touches no other test's workshop.
"""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.servers import PYTHON, ROOT, app_env, daphnes, database
from tests.browser.conftest import DESKTOP, sign_in
from tests.browser.test_accessibility import assert_accessible, focused, tab_to

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
# Fifty one-line posts, with the page's questions, controls and forms around them.
FIFTY_POSTS_MAX_HEIGHT = 8_000

FIFTY_POSTS = """
import uuid
from django.utils import timezone
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from workshops import services
from workshops.models import Series, Workshop
series = Series.objects.get(name__startswith="SEND reform workshops")
workshop = services.workshop_create(series=series, title="Fifty posts", starts_at=timezone.now())
services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
groups = list(StakeholderGroup.objects.exclude(slug="other"))
people = Participant.objects.bulk_create(
    Participant(workshop=workshop, group=groups[n % len(groups)], table_number=n % 6 + 1,
                consented_at=timezone.now())
    for n in range(12)
)
prompts = list(workshop.prompts.all())
words = "Waiting lists for assessments are far too long and families lose a year of support"
posts = Contribution.objects.bulk_create(
    Contribution(workshop=workshop, participant=people[i % 12], prompt=prompts[i % len(prompts)],
                 text=f"{words[: 40 + (i * 37) % 45]} (post {i + 1})", client_id=uuid.uuid4(),
                 state="pending" if i >= 47 else "visible")
    for i in range(50)
)
choices = ["agree", "agree", "disagree", "pass"]
Vote.objects.bulk_create(
    Vote(participant=p, contribution=c, choice=choices[(i + j) % 4])
    for i, c in enumerate(posts) for j, p in enumerate(people)
    if p.pk != c.participant_id and (i + j) % 3
)
print(workshop.pk)
"""


def run_in_app(database_url, code):
    result = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings'); django.setup(); exec(open(0).read())",
        ],
        cwd=ROOT,
        env=app_env(database_url),
        input=code,
        text=True,
        capture_output=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    logs = tmp_path_factory.mktemp("console-logs")
    with database() as url, daphnes(url, log_folder=logs) as ports:
        workshop = run_in_app(url, FIFTY_POSTS)
        yield {"url": f"http://127.0.0.1:{ports[0]}", "workshop": workshop}


@pytest.fixture
def console(new_page, app):
    page = new_page(DESKTOP)
    sign_in(page, app["url"])
    page.goto(f"{app['url']}/facilitate/workshops/{app['workshop']}/")
    page.wait_for_selector("#live-region[data-live=ready]")
    return page


def post_card(page, number):
    # By its own words: a card's details also list other posts (similar ones to merge into).
    own_words = page.locator(
        ":scope > .card-post > .contribution-text", has_text=f"(post {number})"
    )
    return page.locator(".console-card").filter(has=own_words)


def test_fifty_posts_fit_in_a_few_screens_and_the_queue_comes_first(console, app):
    """Before one-line cards, 50 posts made a page about 17,000 px high."""
    height = console.evaluate("document.body.scrollHeight")
    print(f"Console with 50 posts at 1280x800: {height} px high")
    assert height < FIFTY_POSTS_MAX_HEIGHT
    first_heading = console.locator("#live-region h2").first
    expect(first_heading).to_have_text("Waiting for approval")
    expect(console.locator("#console-queue .console-card")).to_have_count(3)
    expect(console.locator(".none-waiting")).to_be_hidden()
    assert_accessible(("console with fifty posts", console))


def test_approve_hide_and_undo_with_the_keyboard_only(console):
    card = post_card(console, 48)
    card_id = card.get_attribute("id")
    pk = card_id.rsplit("-", 1)[1]

    tab_to(console, f"el => el.id === 'approve-{pk}'", "Approve on a waiting post")
    console.keyboard.press("Enter")
    expect(console.locator(f"#console-feed #{card_id}")).to_be_visible()

    tab_to(console, f"el => el.id === 'moderate-{pk}' && el.value === 'hidden'", "Hide")
    console.keyboard.press("Enter")
    undo = console.locator(f"#undo-{pk}")
    expect(undo).to_be_visible()
    expect(console.locator("#messages")).to_contain_text("You can undo this for 10 seconds.")
    assert_accessible(("console offering Undo", console))
    console.keyboard.press("Tab")
    assert focused(console)["desc"].startswith(f"button#undo-{pk}")
    console.keyboard.press("Enter")
    expect(console.locator(f"#{card_id}")).not_to_contain_text("Hidden")
    expect(undo).to_have_count(0)
    expect(console.locator(f"#moderate-{pk}")).to_be_focused()

    # Hidden again, the Undo goes after 10 seconds; Show again stays.
    console.locator(f"#moderate-{pk}").press("Enter")
    expect(undo).to_be_visible()
    expect(undo).to_have_count(0, timeout=12_000)
    expect(console.locator(f"#moderate-{pk}")).to_have_text(re.compile("^Show again"))
    console.locator(f"#moderate-{pk}").press("Enter")
    expect(console.locator(f"#{card_id}")).not_to_contain_text("Hidden")


def test_the_queue_says_none_waiting_once_emptied(console):
    waiting = console.locator("#console-queue .console-card")
    for left in reversed(range(waiting.count())):
        waiting.first.get_by_role("button", name=re.compile("^Approve")).click()
        expect(waiting).to_have_count(left)
    expect(console.locator(".none-waiting")).to_be_visible()


def test_merging_by_searching_with_the_keyboard_only(console):
    card = post_card(console, 3)
    card_id = card.get_attribute("id")
    pk = card_id.rsplit("-", 1)[1]
    # Fifty posts down the page: start from the post's own first button, then keyboard only.
    console.locator(f"#moderate-{pk}").focus()
    tab_to(console, f"el => el.matches('#details-{pk} > summary')", "More on post 3")
    console.keyboard.press("Enter")
    tab_to(console, f"el => el.id === 'merge-search-{pk}'", "the search box")
    console.keyboard.type("post 4)")
    choice = console.locator(f"#merge-choices-{pk} li", has_text="(post 4)")
    expect(choice).to_be_visible()
    assert_accessible(("console with a merge search", console))
    tab_to(console, f"el => el.closest('#merge-choices-{pk} li') !== null", "Merge into this")
    console.keyboard.press("Enter")
    expect(console.locator("#messages")).to_contain_text(re.compile(r"Post \d+ merged into post"))
    expect(post_card(console, 3)).to_contain_text("Merged into another")


def test_closing_asks_first_and_cancel_changes_nothing(console, app):
    console.get_by_role("link", name="Close workshop").click()
    expect(console.get_by_role("heading", level=1)).to_have_text("Close this workshop?")
    expect(console.locator(".warning-text")).to_contain_text("same questions open again")
    assert_accessible(("close confirmation", console))
    console.get_by_role("link", name="Cancel").click()
    console.wait_for_selector("#live-region[data-live=ready]")
    expect(console.locator(".toolbar")).to_contain_text("Live")


def test_erasing_asks_first_naming_what_will_be_lost(console):
    card = post_card(console, 10)
    card.locator("summary", has_text="More").click()
    card.get_by_role("link", name=re.compile("^Erase this person")).click()
    expect(console.get_by_role("heading", level=1)).to_have_text("Erase this person's data?")
    expect(console.locator(".warning-text")).to_contain_text(
        re.compile(r"This deletes \d+ posts? and \d+ votes? from this person")
    )
    expect(console.get_by_role("button", name="Erase their data")).to_have_class(
        re.compile("warning")
    )
    assert_accessible(("erase confirmation", console))
    console.get_by_role("link", name="Cancel").click()
    expect(post_card(console, 10)).to_be_visible()


def test_screenshot_of_the_demo_console_for_the_docs(new_page, server_url):
    page = new_page(DESKTOP)
    sign_in(page, server_url)
    page.click("text=SEND reform workshops")
    page.click("text=National workshop")
    page.wait_for_selector("#live-region[data-live=ready]")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=IMAGES / "console.png")
