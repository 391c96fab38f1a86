"""Easy Read on the phone: the switch (a form that works without the page's script), the
choice remembered on the phone for every workshop, the workshop's default, Easy Read words
on the page and in live fragments, and "See what happens next" once a workshop has closed."""

import re
import uuid

import pytest
from django.urls import reverse

from participants import easy_read, renderers, tokens
from participants.models import Participant
from tests.factories import ContributionFactory, ParticipantFactory, make_workshop
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
EASY_BODY = 'class="phone phone-easy-read"'
CHOOSE = "Please choose to switch Easy Read on or off."


def workshop_url(workshop):
    return reverse("participants:workshop", args=[workshop.join_code])


def switch_url(workshop):
    return reverse("participants:easy_read", args=[workshop.join_code])


def page_of(client, workshop, **headers):
    return client.get(workshop_url(workshop), headers=headers).content.decode()


def in_easy_read(page):
    return EASY_BODY in page


def switch_button(page):
    """The switch's <button> tag, as drawn."""
    return re.search(r'<button[^>]*name="easy_read"[^>]*>', page).group(0)


def heading(page, prompt):
    return re.search(rf'<h2 id="prompt-{prompt.pk}-title">(.*?)</h2>', page).group(1)


def join(client, workshop):
    participant = ParticipantFactory(workshop=workshop)
    client.cookies[tokens.cookie_name(workshop)] = tokens.make_token(participant)
    return participant


@pytest.fixture
def prompt(workshop):
    """The open question, with Easy Read words of its own."""
    prompt = workshop.prompts.get(is_open=True)
    prompt.easy_read = "What would help children at school?"
    prompt.save(update_fields=["easy_read"])
    return prompt


# The switch


def test_the_switch_sets_a_cookie_for_the_whole_site_and_goes_back_to_the_page(
    participant_client, workshop
):
    """Without the page's script: a POST, a cookie kept for a year on every path, and a
    redirect back to the switch on the page it was pressed on."""
    response = participant_client.post(switch_url(workshop), {"easy_read": "on"})
    assert response.status_code == 302
    assert response.url == workshop_url(workshop) + "#easy-read"
    cookie = response.cookies[easy_read.COOKIE]
    assert cookie.value == "on"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == easy_read.MAX_AGE
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_switching_on_then_off(participant_client, workshop):
    """On: the page is drawn in Easy Read and the button is pressed; off: back again."""
    assert not in_easy_read(page_of(participant_client, workshop))
    participant_client.post(switch_url(workshop), {"easy_read": "on"})
    page = page_of(participant_client, workshop)
    assert in_easy_read(page)
    assert 'aria-pressed="true"' in switch_button(page)
    assert 'value="off"' in switch_button(page)
    participant_client.post(switch_url(workshop), {"easy_read": "off"})
    page = page_of(participant_client, workshop)
    assert not in_easy_read(page)
    assert 'aria-pressed="false"' in switch_button(page)
    assert 'value="on"' in switch_button(page)


def test_the_choice_is_remembered_on_the_phone_in_every_workshop(client, workshop):
    """It is the person's need: a phone switched in one workshop joins the next in Easy Read."""
    join(client, workshop)
    client.post(switch_url(workshop), {"easy_read": "on"})
    elsewhere = make_workshop(title="Another workshop")
    assert in_easy_read(page_of(client, elsewhere))  # its join page
    join(client, elsewhere)
    assert in_easy_read(page_of(client, elsewhere))  # and its feed


def test_a_phone_that_has_not_joined_may_switch_and_reads_the_join_page_in_easy_read(
    client, workshop
):
    """The join page's promises come in short sentences: what is kept, who sees it, that one
    can stop, and that it is deleted later. Nobody joins by switching."""
    response = client.post(switch_url(workshop), {"easy_read": "on"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(workshop_url(workshop) + "#easy-read", 302)]
    assert in_easy_read(page)
    assert "Join the workshop" in page
    for promise in (
        "We keep what you write, and your votes.",
        "Everyone in the room can see what you write.",
        "You can stop at any time.",
        "Later, we delete what you wrote and your votes.",
    ):
        assert promise in page
    assert "Your name is never shown in reports." not in page
    assert not Participant.objects.filter(workshop=workshop).exists()


def test_the_join_page_in_standard_mode_keeps_its_usual_words(client, workshop):
    """Without Easy Read, the join page's promises are the fuller ones."""
    page = page_of(client, workshop)
    assert "Your name is never shown in reports." in page
    assert "We keep what you write, and your votes." not in page


@pytest.mark.parametrize("value", ["", "yes", "ON", "on ", "<script>alert(1)</script>"])
def test_bad_input_to_the_switch_is_refused_politely_and_changes_nothing(
    participant_client, workshop, value
):
    """400, the page as it was with a message saying what to do, and no cookie set."""
    participant_client.cookies[easy_read.COOKIE] = "on"
    response = participant_client.post(switch_url(workshop), {"easy_read": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert CHOOSE in page
    assert "<script>alert" not in page
    assert easy_read.COOKIE not in response.cookies
    assert in_easy_read(page)  # the phone's choice, untouched
    assert "data-live-socket" in page  # the feed, not a bare error


def test_a_switch_with_nothing_sent_is_refused_on_the_join_page_too(client, workshop):
    """A phone that has not joined gets its join page back, with the message, and no one
    joins."""
    response = client.post(switch_url(workshop), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert CHOOSE in page and "Join the workshop" in page
    assert easy_read.COOKIE not in response.cookies
    assert not Participant.objects.filter(workshop=workshop).exists()


def test_the_switch_of_an_unknown_workshop_is_404(client):
    """A code that names no workshop is not found, as on every phone page."""
    response = client.post("/w/NOSUCH1/easy-read/", {"easy_read": "on"})
    assert response.status_code == 404
    assert easy_read.COOKIE not in response.cookies


def test_the_switch_takes_posts_only(participant_client, workshop):
    """A link followed, or a page prefetched, never switches anything."""
    assert participant_client.get(switch_url(workshop)).status_code == 405


# The workshop's default


def test_a_workshops_default_applies_to_a_phone_that_has_not_chosen(client):
    """A workshop that is Easy Read by default opens a new phone in Easy Read, switch pressed."""
    young = make_workshop(easy_read_default=True)
    join(client, young)
    page = page_of(client, young)
    assert in_easy_read(page)
    assert 'aria-pressed="true"' in switch_button(page)


def test_a_phones_own_choice_beats_the_workshops_default(client):
    """Switched off once, a phone stays off even in a workshop that is Easy Read by default."""
    young = make_workshop(easy_read_default=True)
    join(client, young)
    client.post(switch_url(young), {"easy_read": "off"})
    assert not in_easy_read(page_of(client, young))


def test_a_cookie_that_is_neither_on_nor_off_counts_as_no_choice(client):
    """A damaged or old cookie falls back to the workshop's default, never to an error."""
    young = make_workshop(easy_read_default=True)
    join(client, young)
    client.cookies[easy_read.COOKIE] = "maybe"
    assert in_easy_read(page_of(client, young))


# What Easy Read shows


def test_easy_read_shows_the_questions_easy_read_words(participant_client, workshop, prompt):
    """The heading is the Easy Read question; the recommendation's "In short" line, the same
    words again, is left out."""
    participant_client.cookies[easy_read.COOKIE] = "on"
    page = page_of(participant_client, workshop)
    assert heading(page, prompt) == "What would help children at school?"
    assert "In short:" not in page
    assert "to: What would help children at school?" in page  # the answer box's label


def test_easy_read_falls_back_to_the_question_when_it_has_no_easy_read_words(
    participant_client, workshop, prompt
):
    """A question with no Easy Read words shows itself, with the recommendation's "In short"."""
    prompt.easy_read = ""
    prompt.save(update_fields=["easy_read"])
    participant_client.cookies[easy_read.COOKIE] = "on"
    page = page_of(participant_client, workshop)
    assert heading(page, prompt) == prompt.question
    assert f"In short: {prompt.recommendation.easy_read}" in page


def test_standard_mode_shows_the_question(participant_client, workshop, prompt):
    """Without Easy Read, the question; its Easy Read words are nowhere on the page."""
    page = page_of(participant_client, workshop)
    assert heading(page, prompt) == prompt.question
    assert "What would help children at school?" not in page


def test_a_live_pages_resync_keeps_its_easy_read(participant_client, workshop, prompt):
    """The live region fetched again (a question opened, a reconnect) is in the phone's mode."""
    participant_client.cookies[easy_read.COOKIE] = "on"
    fragment = page_of(participant_client, workshop, **HTMX)
    assert fragment.startswith('<div id="phone-feed">')
    assert heading(fragment, prompt) == "What would help children at school?"


def test_a_post_sent_over_htmx_keeps_the_question_in_easy_read(
    participant_client, workshop, prompt
):
    """The question's block sent back after a post is in the phone's mode too."""
    participant_client.cookies[easy_read.COOKIE] = "on"
    response = participant_client.post(
        reverse("participants:contribute", args=[workshop.join_code]),
        {"prompt": prompt.pk, "text": "Smaller classes", "client_id": uuid.uuid4()},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert heading(response.content.decode(), prompt) == "What would help children at school?"


def test_vote_buttons_carry_a_hidden_symbol_and_both_modes_words(
    participant_client, workshop, participant
):
    """Every button has its SVG (hidden from screen readers) and its word; "Pass" and
    "Not sure" are both there for the page's class to choose."""
    theirs = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    page = page_of(participant_client, workshop)
    post = page[page.index(f'id="contribution-{theirs.pk}"') :]
    post = post[: post.index("</li>")]
    assert post.count('<svg class="vote-symbol"') == 3
    assert post.count('aria-hidden="true" focusable="false"') == 3
    assert '<span class="for-standard">Pass</span><span class="for-easy-read">Not sure</span>' in (
        post
    )


def test_your_own_vote_shows_as_chosen_in_easy_read(participant_client, workshop, participant):
    """aria-pressed marks the choice, and its hint says it in Easy Read words too."""
    theirs = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    participant_client.cookies[easy_read.COOKIE] = "on"
    vote = reverse("participants:vote", args=[workshop.join_code, theirs.pk])
    participant_client.post(vote, {"choice": "pass"})
    page = page_of(participant_client, workshop)
    assert in_easy_read(page)
    assert re.search(r'value="pass" aria-pressed="true"', page)
    assert "You chose: Not sure. You can change it." in page


def test_a_live_post_fragment_is_the_same_for_every_phone(workshop):
    """Rendered once for the whole audience, it holds both modes' words, so each phone's page
    shows its own."""
    post = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    html = renderers.participant_fragment(post)
    assert 'class="for-standard">Pass<' in html
    assert 'class="for-easy-read">Not sure<' in html
    assert html.count('class="vote-symbol"') == 3


# See what happens next


def close(workshop):
    Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.CLOSED)
    workshop.refresh_from_db()


def test_a_closed_workshops_phone_shows_where_its_results_will_be(
    participant_client, workshop, settings
):
    """A link to the series' public results page, and its short address to type: the site's
    own, as the wall gives it."""
    settings.SITE_URL = "https://www.ground.example.org/"
    close(workshop)
    page = page_of(participant_client, workshop)
    code = workshop.series.results_code
    assert "See what happens next" in page
    assert f'href="{reverse("results", args=[code])}"' in page
    assert f'<strong class="results-address">ground.example.org/r/{code}</strong>' in page
    # Typed as shown, without the slash, it still arrives.
    assert participant_client.get(f"/r/{code}").url == f"/r/{code}/"


def test_a_closed_workshops_join_page_shows_it_too(client, workshop):
    """Someone who never joined, opening a closed workshop's address, sees it too."""
    close(workshop)
    page = page_of(client, workshop)
    assert "This workshop has finished." in page
    assert "See what happens next" in page


def test_a_live_or_draft_workshop_has_no_such_panel(participant_client, workshop):
    """Nothing to follow yet while it runs, nor before it starts."""
    assert "See what happens next" not in page_of(participant_client, workshop)
    Workshop.objects.filter(pk=workshop.pk).update(status=Workshop.Status.DRAFT)
    assert "See what happens next" not in page_of(participant_client, workshop)


def test_phones_of_a_workshop_closing_get_the_panel_at_once(workshop, settings):
    """The read-only notice sent to every phone carries it: rendered once, for all of them."""
    settings.SITE_URL = "https://www.ground.example.org"
    close(workshop)
    operations = renderers.phones_read_only(workshop=workshop)[renderers.PARTICIPANTS]
    html = operations[0]["html"]
    assert "See what happens next" in html
    assert f"ground.example.org/r/{workshop.series.results_code}<" in html
    assert "www." not in html
