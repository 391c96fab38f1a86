"""The participant's path over HTTP: code, join, feed, post, vote; plain and htmx."""

import re
import uuid

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from participants import ratelimit, tokens
from participants.models import Contribution, Participant, Vote
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    make_workshop,
    stakeholder_group,
)
from tests.helpers import is_fragment
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LONG_TEXT = "Keep my words, please." * 50  # 1,100 characters, nothing to trim


def workshop_url(workshop):
    return reverse("participants:workshop", args=[workshop.join_code])


def join_url(workshop):
    return reverse("participants:join", args=[workshop.join_code])


def post_url(workshop):
    return reverse("participants:contribute", args=[workshop.join_code])


def vote_url(contribution):
    return reverse("participants:vote", args=[contribution.workshop.join_code, contribution.pk])


def open_prompt(workshop):
    return workshop.prompts.get(is_open=True)


def post_data(prompt, text="More speech and language therapists", client_id=None):
    return {"prompt": prompt.pk, "text": text, "client_id": client_id or uuid.uuid4()}


def shows_join_form(response):
    return response.status_code == 200 and b"Join the workshop" in response.content


@pytest.fixture
def their_post(workshop):
    """A visible post by someone else in the participant's workshop."""
    return ContributionFactory(
        participant=ParticipantFactory(workshop=workshop, group=stakeholder_group("health")),
        text="Health and education must plan together",
    )


# Entering a code


def test_correct_code_redirects_to_the_workshop(client, workshop):
    """A code typed in lower case with a dash still lands on the workshop page."""
    typed = f"{workshop.join_code[:3]}-{workshop.join_code[3:]}".lower()
    response = client.post("/", {"code": typed})
    assert response.status_code == 302
    assert response.url == f"/w/{workshop.join_code}/"


def test_wrong_code_shows_a_message(client, workshop):
    """An unknown code re-shows the form with a message."""
    response = client.post("/", {"code": "ZZZZZZZ"})
    assert response.status_code == 200
    assert "We could not find a workshop with that code" in response.content.decode()


def test_eleventh_attempt_after_ten_wrong_codes_is_refused(
    client, workshop, settings, fixed_window
):
    """Ten wrong codes from one address are allowed; the 11th attempt gets 429."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10
    for _ in range(10):
        assert client.post("/", {"code": "ZZZZZZZ"}).status_code == 200
    response = client.post("/", {"code": "ZZZZZZZ"})
    assert response.status_code == 429
    assert "try again shortly" in response.content.decode()
    assert client.get("/w/ZZZZZZZ/").status_code == 429


def test_the_right_code_gets_in_after_others_at_the_venue_mistyped(
    client, workshop, settings, fixed_window
):
    """A venue's shared address: after ten wrong codes, the right one still gets in, by the
    form and by the workshop's address; only the wrong ones wait."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10
    for _ in range(11):
        client.post("/", {"code": "ZZZZZZZ"})
    response = client.post("/", {"code": workshop.join_code})
    assert response.status_code == 302
    assert shows_join_form(client.get(workshop_url(workshop)))
    assert client.post("/", {"code": "ZZZZZZY"}).status_code == 429


def test_join_limit_is_per_address(client, workshop, settings, fixed_window):
    """Someone else's wrong guesses do not lock this address out."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10
    for _ in range(10):
        client.post("/", {"code": "ZZZZZZZ"}, REMOTE_ADDR="10.0.0.9")
    response = client.post("/", {"code": workshop.join_code}, REMOTE_ADDR="10.0.0.10")
    assert response.status_code == 302


PROXY = "10.0.0.1"


def test_behind_a_proxy_a_forged_forwarded_for_does_not_reset_the_limit(
    client, workshop, settings, fixed_window
):
    """nginx appending the address it saw to whatever the client wrote: the client's own
    guesses at X-Forwarded-For are left of it, and never become its address."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10
    settings.TRUSTED_PROXIES = [PROXY]
    statuses = [
        client.post(
            "/",
            {"code": "ZZZZZZZ"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
        ).status_code
        for n in range(40)
    ]
    assert statuses.count(200) == 10 and statuses.count(429) == 30


def test_behind_a_proxy_that_overwrites_the_header_each_client_counts_alone(
    client, workshop, settings, fixed_window
):
    """nginx setting X-Forwarded-For to $remote_addr: one visitor's wrong codes do not hold
    up another behind the same proxy."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(11):
        client.post(
            "/", {"code": "ZZZZZZZ"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
    blocked = client.post(
        "/", {"code": "ZZZZZZZ"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    other = client.post(
        "/", {"code": "ZZZZZZZ"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    assert (blocked.status_code, other.status_code) == (429, 200)


def test_without_a_trusted_proxy_the_header_is_ignored(client, workshop, settings, fixed_window):
    """A client talking to daphne directly cannot choose its address by writing a header."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10
    statuses = [
        client.post(
            "/",
            {"code": "ZZZZZZZ"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(12)
    ]
    assert statuses[-1] == 429


def test_guessing_workshop_urls_counts_as_wrong_codes(client, workshop, settings, fixed_window):
    """Guessing /w/<code>/ addresses is limited like the form."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10
    for _ in range(10):
        assert client.get("/w/ZZZZZZZ/").status_code == 404
    assert client.get("/w/ZZZZZZZ/").status_code == 429


def test_closed_workshop_code_says_it_has_finished(client):
    """The code of a finished workshop gets a clear message, not a join form."""
    closed = make_workshop(status=Workshop.Status.CLOSED)
    response = client.post("/", {"code": closed.join_code})
    assert response.status_code == 200
    assert "That workshop has finished" in response.content.decode()


def test_draft_workshop_says_it_has_not_started(client):
    """A workshop that has not started shows no join form yet."""
    draft = make_workshop(status=Workshop.Status.DRAFT)
    response = client.post("/", {"code": draft.join_code}, follow=True)
    assert response.status_code == 200
    assert "has not started yet" in response.content.decode()
    assert b"Join the workshop" not in response.content


# Joining


def test_workshop_page_without_cookie_shows_the_join_form(client, workshop):
    """Before joining, the workshop page explains how posts are used and asks who you are."""
    response = client.get(workshop_url(workshop))
    assert shows_join_form(response)
    content = response.content.decode()
    assert "How we use what you write" in content
    assert "Parent carer forum" in content and "Young person" in content


def test_join_sets_the_cookie_and_shows_the_feed(client, workshop):
    """Choosing a group, an optional name and consenting joins; the next page is the feed."""
    young = stakeholder_group("young_person")
    response = client.post(
        join_url(workshop), {"group": young.pk, "display_name": "Sam", "consent": "on"}
    )
    assert response.status_code == 302
    assert response.url == workshop_url(workshop)
    participant = Participant.objects.get(workshop=workshop)
    assert (participant.group, participant.display_name) == (young, "Sam")
    cookie = response.cookies[tokens.cookie_name(workshop)]
    assert cookie["httponly"]
    assert tokens.read_token(cookie.value, workshop) == participant.pk

    feed = client.get(workshop_url(workshop))
    assert feed.status_code == 200
    assert "You are taking part as: <strong>Young person</strong> (Sam)" in feed.content.decode()
    assert f'id="prompt-{open_prompt(workshop).pk}"' in feed.content.decode()


def test_join_without_a_name_is_fine(client, workshop):
    """The display name is optional."""
    response = client.post(
        join_url(workshop), {"group": stakeholder_group("pcf").pk, "consent": "on"}
    )
    assert response.status_code == 302
    assert Participant.objects.get(workshop=workshop).display_name == ""


def test_join_without_consent_is_refused(client, workshop):
    """No consent: 400, the reason shown, no participant and no cookie."""
    response = client.post(
        join_url(workshop), {"group": stakeholder_group("pcf").pk, "display_name": "Sam"}
    )
    assert response.status_code == 400
    assert "Please say you are happy with how we use what you write." in response.content.decode()
    assert not Participant.objects.exists()
    assert tokens.cookie_name(workshop) not in response.cookies


def test_join_without_a_group_is_refused(client, workshop):
    """A group must be chosen."""
    response = client.post(join_url(workshop), {"consent": "on"})
    assert response.status_code == 400
    assert "Please choose who you are here for." in response.content.decode()
    assert not Participant.objects.exists()


def test_sending_the_join_form_again_from_a_joined_phone_is_not_another_person(client, workshop):
    """A reload or the back button resends the form: the phone stays the one participant."""
    form = {"group": stakeholder_group("pcf").pk, "consent": "on"}
    client.post(join_url(workshop), form)
    again = client.post(join_url(workshop), form)
    assert again.status_code == 302 and again.url == workshop_url(workshop)
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_joins_from_one_address_are_limited(workshop, settings, fixed_window):
    """One script joining again and again, without its cookie, meets the limit; someone on
    another network does not."""
    settings.JOINS_PER_ADDRESS_PER_MINUTE = 3
    form = {"group": stakeholder_group("pcf").pk, "consent": "on"}
    statuses = [
        Client().post(join_url(workshop), form, REMOTE_ADDR="198.51.100.7").status_code
        for _ in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    refused = Client().post(join_url(workshop), form, REMOTE_ADDR="198.51.100.7")
    assert "More people have joined from this network" in refused.content.decode()
    assert Client().post(join_url(workshop), form, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert Participant.objects.filter(workshop=workshop).count() == 4


def test_with_the_cache_down_joining_and_wrong_codes_are_counted_in_the_process(
    client, workshop, settings, fixed_window, monkeypatch
):
    """Redis down: the join and wrong-code limits still hold, counted in this process,
    rather than letting every guess through."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 3

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(ratelimit.cache, "add", unreachable)
    statuses = [client.post("/", {"code": "ZZZZZZZ"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert client.post("/", {"code": workshop.join_code}).status_code == 302


def test_join_a_closed_workshop_is_refused(client):
    """Posting the join form of a finished workshop creates nobody."""
    closed = make_workshop(status=Workshop.Status.CLOSED)
    response = client.post(
        join_url(closed), {"group": stakeholder_group("pcf").pk, "consent": "on"}
    )
    assert response.status_code == 400
    assert not Participant.objects.exists()


# The feed


def test_feed_shows_open_prompts_only(participant_client, workshop):
    """Questions never opened (closed, with no posts) are not on the participant's phone."""
    content = participant_client.get(workshop_url(workshop)).content.decode()
    for prompt in workshop.prompts.all():
        shown = f'id="prompt-{prompt.pk}"' in content
        assert shown == prompt.is_open, prompt.order


def test_feed_shows_visible_posts_only(participant_client, workshop, their_post):
    """A post the facilitator hid disappears from every phone."""
    hidden = ContributionFactory(
        participant=their_post.participant, text="Something that was hidden", state="hidden"
    )
    content = participant_client.get(workshop_url(workshop)).content.decode()
    assert their_post.text in content
    assert hidden.text not in content
    assert f'id="contribution-{hidden.pk}"' not in content


def test_feed_shows_no_posts_from_other_workshops(participant_client, workshop):
    """Another room's posts stay in that room."""
    elsewhere = ContributionFactory(text="From another room entirely")
    content = participant_client.get(workshop_url(workshop)).content.decode()
    assert elsewhere.text not in content


# Posting


def test_post_saves_and_redirects_back_to_the_prompt(participant_client, participant, workshop):
    """A post is saved and the phone returns to the question, with a thank-you."""
    prompt = open_prompt(workshop)
    response = participant_client.post(post_url(workshop), post_data(prompt))
    assert response.status_code == 302
    assert response.url == f"{workshop_url(workshop)}#prompt-{prompt.pk}"
    contribution = Contribution.objects.get()
    assert (contribution.participant, contribution.prompt) == (participant, prompt)
    assert contribution.text == "More speech and language therapists"
    page = participant_client.get(response.url).content.decode()
    assert "Thank you. Your post has been sent." in page
    assert "More speech and language therapists" in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please write something before you send it."),
        ("   \n  ", "Please write something before you send it."),
        (LONG_TEXT, "Please keep it to 1,000 characters or fewer (you have 1,100)."),
    ],
    ids=["empty", "whitespace", "over-long"],
)
def test_post_with_bad_text_is_refused_and_text_kept(participant_client, workshop, text, message):
    """Bad text: 400, the reason shown, nothing saved, and what was typed still in the box."""
    response = participant_client.post(post_url(workshop), post_data(open_prompt(workshop), text))
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f">\n{text}</textarea>" in content
    assert not Contribution.objects.exists()


def test_the_post_box_states_its_limit_and_cuts_nothing(participant_client, workshop):
    """The GOV.UK character count without JavaScript: the limit stated as the box's hint, and
    no maxlength to cut a long paste silently."""
    prompt = open_prompt(workshop)
    content = participant_client.get(workshop_url(workshop)).content.decode()
    box = re.search(rf'<textarea id="answer-{prompt.pk}"[^>]*>', content).group(0)
    assert " maxlength=" not in box
    assert 'data-maxlength="1000"' in box
    assert f'aria-describedby="answer-{prompt.pk}-info"' in box
    hint = f'<p class="hint character-count-message" id="answer-{prompt.pk}-info">'
    assert hint + "You can enter up to 1,000 characters</p>" in content


def test_the_stated_limit_follows_the_setting(participant_client, workshop, settings):
    """The page states the limit the service applies, read when the page is drawn."""
    settings.CONTRIBUTION_MAX_LENGTH = 50
    content = participant_client.get(workshop_url(workshop)).content.decode()
    assert 'data-maxlength="50"' in content
    assert "You can enter up to 50 characters" in content


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_5000_character_paste_is_refused_whole_and_kept_whole(
    participant_client, workshop, headers
):
    """Far over the limit: the polite reason, all 5,000 characters back in the box, nothing
    saved in part."""
    pasted = "".join(f"{n % 10}" for n in range(5000))
    response = participant_client.post(
        post_url(workshop), post_data(open_prompt(workshop), pasted), headers=headers
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Please keep it to 1,000 characters or fewer (you have 5,000)." in content
    assert f">\n{pasted}</textarea>" in content
    assert not Contribution.objects.exists()


def test_double_submit_saves_one_post(participant_client, workshop):
    """The same client id sent twice (a double tap, a retry) is one post."""
    data = post_data(open_prompt(workshop))
    first = participant_client.post(post_url(workshop), data)
    second = participant_client.post(post_url(workshop), data)
    assert first.status_code == second.status_code == 302
    assert Contribution.objects.count() == 1


def test_post_to_a_prompt_closed_meanwhile_is_refused_with_a_message(participant_client, workshop):
    """If the question closed while the phone had it open, the post is refused and says why."""
    prompt = open_prompt(workshop)
    prompt.is_open = False
    prompt.save(update_fields=["is_open"])
    response = participant_client.post(post_url(workshop), post_data(prompt, "Too late?"))
    assert response.status_code == 400
    assert not Contribution.objects.exists()
    assert "This question is closed" in response.content.decode()


def test_post_to_another_workshops_prompt_is_refused(participant_client, workshop):
    """A prompt id from another workshop is refused."""
    elsewhere = open_prompt(make_workshop())
    response = participant_client.post(post_url(workshop), post_data(elsewhere))
    assert response.status_code == 400
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("prompt_value", ["", "nonsense", "999999"])
def test_post_with_missing_or_unknown_prompt_is_refused(participant_client, workshop, prompt_value):
    """A missing or unknown prompt id is a 400, not a crash."""
    data = post_data(open_prompt(workshop))
    data["prompt"] = prompt_value
    assert participant_client.post(post_url(workshop), data).status_code == 400
    assert not Contribution.objects.exists()


def test_seventh_post_in_a_minute_is_refused(participant_client, workshop, settings, fixed_window):
    """Posting faster than CONTRIBUTIONS_PER_MINUTE gets 429 with a message; text is kept."""
    settings.CONTRIBUTIONS_PER_MINUTE = 6
    prompt = open_prompt(workshop)
    for n in range(6):
        participant_client.post(post_url(workshop), post_data(prompt, f"Post {n}"))
    response = participant_client.post(post_url(workshop), post_data(prompt, "Seventh post"))
    assert response.status_code == 429
    content = response.content.decode()
    assert "Please wait a moment" in content
    assert "Seventh post</textarea>" in content
    assert Contribution.objects.count() == 6


# Voting


def test_vote_agree_then_change_to_disagree_then_pass(participant_client, participant, their_post):
    """A vote is saved, can be changed, and stays one row; the page shows the choice."""
    url = vote_url(their_post)
    for choice in ["agree", "disagree", "pass"]:
        response = participant_client.post(url, {"choice": choice})
        assert response.status_code == 302
        assert response.url.endswith(f"#contribution-{their_post.pk}")
        vote = Vote.objects.get()
        assert (vote.participant, vote.contribution, vote.choice) == (
            participant,
            their_post,
            choice,
        )
    page = participant_client.get(workshop_url(their_post.workshop)).content.decode()
    assert "You chose: Pass." in page
    assert 'value="pass" aria-pressed="true"' in page


def test_vote_on_own_post_is_refused_with_a_message(participant_client, participant):
    """Voting on your own post says why it was refused, and saves nothing."""
    mine = ContributionFactory(participant=participant)
    response = participant_client.post(vote_url(mine), {"choice": "agree"}, follow=True)
    assert "You cannot vote on your own post." in response.content.decode()
    assert not Vote.objects.exists()


def test_own_post_has_no_vote_buttons(participant_client, participant):
    """The feed marks your own post instead of offering votes on it."""
    mine = ContributionFactory(participant=participant)
    content = participant_client.get(workshop_url(participant.workshop)).content.decode()
    assert "This is your post." in content
    assert vote_url(mine) not in content


def test_vote_on_another_workshops_post_is_refused(participant_client, workshop):
    """A post from another workshop cannot be voted on through this one."""
    elsewhere = ContributionFactory()
    url = reverse("participants:vote", args=[workshop.join_code, elsewhere.pk])
    response = participant_client.post(url, {"choice": "agree"}, follow=True)
    assert "You can only vote on posts in your own workshop." in response.content.decode()
    assert not Vote.objects.exists()


def test_vote_on_hidden_post_is_refused(participant_client, their_post):
    """A hidden post takes no votes."""
    their_post.state = Contribution.State.HIDDEN
    their_post.save(update_fields=["state"])
    response = participant_client.post(vote_url(their_post), {"choice": "agree"}, follow=True)
    assert "no longer shown" in response.content.decode()
    assert not Vote.objects.exists()


@pytest.mark.parametrize("data", [{}, {"choice": "maybe"}])
def test_vote_with_bad_choice_is_refused(participant_client, their_post, data):
    """Only agree, disagree or pass."""
    response = participant_client.post(vote_url(their_post), data, follow=True)
    assert "Please choose agree, disagree or pass." in response.content.decode()
    assert not Vote.objects.exists()


def test_vote_on_unknown_post_is_404(participant_client, workshop):
    """A post id that does not exist is a 404."""
    url = reverse("participants:vote", args=[workshop.join_code, 999999])
    assert participant_client.post(url, {"choice": "agree"}).status_code == 404


# htmx


def test_htmx_post_returns_the_prompt_section(participant_client, workshop):
    """With htmx, a post returns just the question's section: thanks, a fresh box, the post."""
    prompt = open_prompt(workshop)
    response = participant_client.post(
        post_url(workshop), post_data(prompt, "Sent with htmx"), headers=HTMX
    )
    assert response.status_code == 200
    assert is_fragment(response)
    content = response.content.decode()
    assert content.lstrip().startswith(f'<section class="prompt" id="prompt-{prompt.pk}"')
    assert "Thank you. Your post has been sent." in content
    assert "Sent with htmx" in content  # in the feed below
    assert "Sent with htmx</textarea>" not in content  # but not left in the box
    assert Contribution.objects.get().text == "Sent with htmx"


def test_htmx_post_with_bad_text_returns_the_section_with_400(participant_client, workshop):
    """With htmx, a refused post returns the section, status 400, the text still typed."""
    prompt = open_prompt(workshop)
    response = participant_client.post(
        post_url(workshop), post_data(prompt, LONG_TEXT), headers=HTMX
    )
    assert response.status_code == 400
    assert is_fragment(response)
    content = response.content.decode()
    assert f'id="prompt-{prompt.pk}"' in content
    assert "Please keep it to 1,000 characters or fewer" in content
    assert f">\n{LONG_TEXT}</textarea>" in content
    assert not Contribution.objects.exists()


def test_htmx_post_to_closed_prompt_says_why(participant_client, workshop):
    """With htmx, a post to a question closed meanwhile is refused with the reason shown."""
    prompt = open_prompt(workshop)
    prompt.is_open = False
    prompt.save(update_fields=["is_open"])
    response = participant_client.post(post_url(workshop), post_data(prompt), headers=HTMX)
    assert response.status_code == 400
    assert is_fragment(response)
    assert "This question is closed" in response.content.decode()
    assert not Contribution.objects.exists()


def test_htmx_vote_returns_the_contribution_item(participant_client, their_post):
    """With htmx, a vote returns just that post's list item, showing the choice."""
    response = participant_client.post(vote_url(their_post), {"choice": "agree"}, headers=HTMX)
    assert response.status_code == 200
    assert is_fragment(response)
    content = response.content.decode()
    assert content.lstrip().startswith(
        f'<li class="contribution" id="contribution-{their_post.pk}"'
    )
    assert 'value="agree" aria-pressed="true"' in content
    assert Vote.objects.get().choice == "agree"

    changed = participant_client.post(vote_url(their_post), {"choice": "disagree"}, headers=HTMX)
    assert 'value="disagree" aria-pressed="true"' in changed.content.decode()
    assert Vote.objects.get().choice == "disagree"


def test_htmx_vote_with_bad_choice_is_400_with_message(participant_client, their_post):
    """With htmx, a refused vote comes back as the item with the reason and status 400."""
    response = participant_client.post(vote_url(their_post), {"choice": "maybe"}, headers=HTMX)
    assert response.status_code == 400
    assert is_fragment(response)
    assert "Please choose agree, disagree or pass." in response.content.decode()
    assert not Vote.objects.exists()


def test_htmx_vote_on_hidden_or_foreign_post_is_refused(participant_client, workshop, their_post):
    """With htmx, votes on hidden posts or other workshops' posts are 400 and save nothing."""
    their_post.state = Contribution.State.HIDDEN
    their_post.save(update_fields=["state"])
    hidden = participant_client.post(vote_url(their_post), {"choice": "agree"}, headers=HTMX)
    elsewhere = ContributionFactory()
    foreign_url = reverse("participants:vote", args=[workshop.join_code, elsewhere.pk])
    foreign = participant_client.post(foreign_url, {"choice": "agree"}, headers=HTMX)
    assert hidden.status_code == foreign.status_code == 400
    assert not Vote.objects.exists()


# Cookies and tokens


def test_token_from_workshop_a_gives_no_participant_in_b(client, participant):
    """A participant of workshop A is a stranger in workshop B, even with A's token in B's slot."""
    workshop_b = make_workshop()
    client.cookies[tokens.cookie_name(participant.workshop)] = tokens.make_token(participant)
    client.cookies[tokens.cookie_name(workshop_b)] = tokens.make_token(participant)

    assert shows_join_form(client.get(workshop_url(workshop_b)))

    response = client.post(post_url(workshop_b), post_data(open_prompt(workshop_b)))
    assert response.status_code == 302
    assert response.url == workshop_url(workshop_b)
    assert not Contribution.objects.exists()

    their_post_in_b = ContributionFactory(
        participant=ParticipantFactory(workshop=workshop_b), text="In room B"
    )
    response = client.post(vote_url(their_post_in_b), {"choice": "agree"})
    assert response.status_code == 302
    assert response.url == workshop_url(workshop_b)
    assert not Vote.objects.exists()


def forged_tokens(participant):
    claims = {"p": participant.pk, "w": participant.workshop_id}
    valid = tokens.make_token(participant)
    return {
        "garbage": "garbage",
        "empty-ish": ":",
        "wrong-salt": signing.dumps(claims, salt="something.else"),
        "wrong-key": signing.dumps(claims, salt=tokens.SALT, key="not-the-secret-key"),
        "tampered": valid[:-1] + ("A" if valid[-1] != "A" else "B"),
        "unsigned-claims": signing.b64_encode(b'{"p":1,"w":1}').decode(),
        "not-a-dict": signing.dumps([participant.pk, participant.workshop_id], salt=tokens.SALT),
        "no-such-participant": signing.dumps(
            {"p": participant.pk + 1000, "w": participant.workshop_id}, salt=tokens.SALT
        ),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "garbage",
        "empty-ish",
        "wrong-salt",
        "wrong-key",
        "tampered",
        "unsigned-claims",
        "not-a-dict",
        "no-such-participant",
    ],
)
def test_forged_cookie_is_treated_as_not_joined(client, participant, kind):
    """A cookie that is not a valid token for this workshop means 'not joined', never an error."""
    workshop = participant.workshop
    client.cookies[tokens.cookie_name(workshop)] = forged_tokens(participant)[kind]
    assert shows_join_form(client.get(workshop_url(workshop)))
    response = client.post(post_url(workshop), post_data(open_prompt(workshop)))
    assert response.status_code == 302
    assert response.url == workshop_url(workshop)
    assert not Contribution.objects.exists()


def test_expired_token_is_treated_as_not_joined(client, participant, settings):
    """Once PARTICIPANT_TOKEN_MAX_AGE has passed the cookie no longer counts."""
    settings.PARTICIPANT_TOKEN_MAX_AGE = -1
    client.cookies[tokens.cookie_name(participant.workshop)] = tokens.make_token(participant)
    assert shows_join_form(client.get(workshop_url(participant.workshop)))
