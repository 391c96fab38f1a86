"""A closed question stays on the phone, read-only, with the participant's own posts; the
live path (re-sync after the facilitator closes it) gives the same as a page load."""

import re
import uuid

import pytest
from django.urls import reverse

from live import broadcast
from participants.models import Contribution
from tests.factories import ContributionFactory, ParticipantFactory, stakeholder_group
from tests.helpers import is_fragment
from workshops import services as workshop_services
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CLOSED_NOTICE = "This question is closed"


@pytest.fixture
def sent(monkeypatch):
    """Live updates as they would go out: [(workshop id, {audience: [operation, ...]})]."""
    calls = []
    monkeypatch.setattr(
        broadcast, "send_now", lambda workshop_id, build: calls.append((workshop_id, build()))
    )
    return calls


@pytest.fixture
def prompt(workshop):
    return workshop.prompts.get(is_open=True)


@pytest.fixture
def mine(participant, prompt):
    return ContributionFactory(participant=participant, prompt=prompt, text="My own words here")


@pytest.fixture
def theirs(workshop, prompt):
    someone = ParticipantFactory(workshop=workshop, group=stakeholder_group("health"))
    return ContributionFactory(participant=someone, prompt=prompt, text="Someone else's words")


def feed_url(workshop):
    return reverse("participants:workshop", args=[workshop.join_code])


def close(prompt):
    workshop_services.prompt_set_open(prompt=prompt, is_open=False)


def section(content, prompt):
    """The prompt's <section> as the page shows it, or None."""
    found = re.search(rf'<section [^>]*id="prompt-{prompt.pk}".*?</section>', content, re.S)
    return found and found.group(0)


def resync_matches_page_load(client, workshop):
    """The re-sync fragment is, byte for byte, the live region of a fresh page load."""
    fragment = client.get(feed_url(workshop), headers=HTMX)
    page = client.get(feed_url(workshop))
    assert is_fragment(fragment)
    return fragment.content.decode().strip() in page.content.decode()


def test_a_closed_question_stays_read_only_with_my_posts(
    participant_client, workshop, prompt, mine, theirs
):
    """Closed: the question, the notice and my post stay; no box, no buttons, no one else's."""
    close(prompt)
    shown = section(participant_client.get(feed_url(workshop)).content.decode(), prompt)
    assert shown is not None
    assert prompt.question in shown
    assert CLOSED_NOTICE in shown
    assert mine.text in shown
    assert theirs.text not in shown
    assert "<textarea" not in shown and "<form" not in shown and "<button" not in shown


def test_a_closed_question_i_did_not_post_on_says_so(participant_client, workshop, prompt, theirs):
    """The room posted on it, so it stays, saying I did not post on it."""
    close(prompt)
    shown = section(participant_client.get(feed_url(workshop)).content.decode(), prompt)
    assert CLOSED_NOTICE in shown
    assert "You did not post on this question." in shown
    assert theirs.text not in shown


def test_questions_never_opened_are_not_shown(participant_client, workshop, prompt):
    """A closed question with no posts was never used: it is not on the phone."""
    content = participant_client.get(feed_url(workshop)).content.decode()
    for other in workshop.prompts.exclude(pk=prompt.pk):
        assert section(content, other) is None
    close(prompt)
    content = participant_client.get(feed_url(workshop)).content.decode()
    assert section(content, prompt) is None
    assert "There is no open question right now." in content


def test_open_questions_come_before_closed_ones(participant_client, workshop, prompt, mine):
    """The question to answer is at the top; the closed one follows, whatever their order."""
    # Not the placeholder recommendation's: it has no Easy Read words, so it cannot open.
    others = workshop.prompts.exclude(pk=prompt.pk).exclude(recommendation__needs_completion=True)
    later = others.order_by("order").last()
    close(prompt)
    workshop_services.prompt_set_open(prompt=later, is_open=True)
    content = participant_client.get(feed_url(workshop)).content.decode()
    assert content.index(f'id="prompt-{later.pk}"') < content.index(f'id="prompt-{prompt.pk}"')
    assert "There is no open question" not in content


@pytest.mark.parametrize("state", ["hidden", "merged"])
def test_my_hidden_posts_stay_hidden_under_a_closed_question(
    participant_client, workshop, prompt, participant, mine, state
):
    """Closed or open, a post the facilitator took off every screen is not shown."""
    gone = ContributionFactory(
        participant=participant, prompt=prompt, text="Taken off the screens", state=state
    )
    close(prompt)
    shown = section(participant_client.get(feed_url(workshop)).content.decode(), prompt)
    assert mine.text in shown
    assert gone.text not in shown


def test_closing_a_question_resyncs_phones_to_what_a_page_load_shows(
    participant_client, workshop, prompt, mine, theirs, sent, committed
):
    """Phones are told only to re-sync (nothing patched that could differ), and the re-sync
    fetch gives exactly the live region a fresh page load gives."""
    with committed():
        close(prompt)
    [(_, operations)] = sent
    assert operations["participants"] == [broadcast.RESYNC]
    assert resync_matches_page_load(participant_client, workshop)
    fragment = participant_client.get(feed_url(workshop), headers=HTMX)
    assert CLOSED_NOTICE in fragment.content.decode()
    assert mine.text in fragment.content.decode()


def test_a_closed_workshop_keeps_my_posts_read_only(
    participant_client, workshop, prompt, mine, sent, committed
):
    """Closing the workshop closes every question: the notice, then my posts, read-only; the
    re-sync that follows the at-once notice gives the same as a page load."""
    with committed():
        workshop_services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    assert resync_matches_page_load(participant_client, workshop)
    page = participant_client.get(feed_url(workshop)).content.decode()
    assert "This workshop is not taking posts right now." in page
    assert CLOSED_NOTICE in section(page, prompt) and mine.text in section(page, prompt)
    assert "<form" not in page.split('<div id="phone-feed">')[1]


def post(client, workshop, prompt, text, **headers):
    url = reverse("participants:contribute", args=[workshop.join_code])
    data = {"prompt": prompt.pk, "text": text, "client_id": uuid.uuid4()}
    return client.post(url, data, headers=headers)


def test_a_post_to_a_question_closed_meanwhile_keeps_its_words(
    participant_client, workshop, prompt, mine
):
    """The refused post's reason and words show at the top; the question stays read-only."""
    close(prompt)
    response = post(participant_client, workshop, prompt, "Typed before it closed")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Your post was not sent" in content
    assert "This question is closed, so it cannot take new posts." in content
    assert ">Typed before it closed</textarea>" in content
    assert "<textarea" not in section(content, prompt)
    assert Contribution.objects.count() == 1


def test_an_htmx_post_to_a_question_closed_meanwhile_keeps_its_words(
    participant_client, workshop, prompt, mine
):
    """With htmx, the question's section comes back read-only, with the reason and words."""
    close(prompt)
    response = post(participant_client, workshop, prompt, "Typed before it closed", **HTMX)
    assert response.status_code == 400
    content = response.content.decode()
    assert content.lstrip().startswith(
        f'<section class="prompt prompt-closed" id="prompt-{prompt.pk}"'
    )
    assert CLOSED_NOTICE in content and mine.text in content
    assert "This question is closed, so it cannot take new posts." in content
    assert "readonly>Typed before it closed</textarea>" in content
    assert Contribution.objects.count() == 1
