"""Tests for the console's actions over HTTP: moderate, edit, merge, spotlight, premoderation,
prompt timers and posts entered for a group; who may use them, what bad input does, and the
live regions the console, wall and phone feed re-sync from."""

import uuid
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from facilitation.selectors import spotlight, vote_shares
from participants import tokens
from participants.models import Contribution, Participant, Vote
from synthesis.stats import Tally
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    VoteFactory,
    stakeholder_group,
)
from tests.helpers import is_fragment
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(workshop, participant):
    """A live workshop with one open prompt, two visible posts and a hidden one."""
    other = ParticipantFactory(workshop=workshop, group=stakeholder_group("health"))
    return SimpleNamespace(
        workshop=workshop,
        open_prompt=workshop.prompts.get(is_open=True),
        closed_prompt=workshop.prompts.filter(is_open=False).order_by("order").first(),
        post=ContributionFactory(participant=participant, text="Visible post"),
        target=ContributionFactory(participant=other, text="Merge target"),
        hidden=ContributionFactory(
            participant=other, text="Hidden post", state=Contribution.State.HIDDEN
        ),
    )


@pytest.fixture
def staff(client, facilitator):
    client.force_login(facilitator)
    return client


def url(name, world, *args):
    return reverse(f"facilitation:{name}", args=[world.workshop.pk, *args])


def console_url(world):
    return url("console", world)


def fresh(obj):
    obj.refresh_from_db()
    return obj


def scribe_data(world, **changes):
    data = {
        "prompt": world.open_prompt.pk,
        "group": stakeholder_group("education").pk,
        "text": "From a paper card",
        "client_id": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


@dataclass
class Action:
    """One console action: how to call it, and whether its effect happened."""

    id: str
    url: object  # world -> str
    data: object  # world -> dict
    done: object  # world -> bool

    def call(self, client, world, **kwargs):
        return client.post(self.url(world), self.data(world), **kwargs)


ACTIONS = [
    Action(
        "moderate",
        lambda w: url("contribution_moderate", w, w.post.pk),
        lambda w: {"state": "hidden"},
        lambda w: fresh(w.post).state == Contribution.State.HIDDEN,
    ),
    Action(
        "edit",
        lambda w: url("contribution_edit", w, w.post.pk),
        lambda w: {"text": "Corrected post"},
        lambda w: fresh(w.post).text == "Corrected post",
    ),
    Action(
        "merge",
        lambda w: url("contribution_merge", w, w.post.pk),
        lambda w: {"into": str(w.target.pk)},
        lambda w: fresh(w.post).merged_into_id == w.target.pk,
    ),
    Action(
        "spotlight",
        lambda w: url("spotlight", w),
        lambda w: {"contribution": str(w.post.pk)},
        lambda w: spotlight(w.workshop.pk) == w.post,
    ),
    Action(
        "premoderation",
        lambda w: url("premoderation", w),
        lambda w: {"premoderation": "on"},
        lambda w: fresh(w.workshop).premoderation,
    ),
    Action(
        "easy read default",
        lambda w: url("easy_read_default", w),
        lambda w: {"easy_read_default": "on"},
        lambda w: fresh(w.workshop).easy_read_default,
    ),
    Action(
        "timer",
        lambda w: url("prompt_timer", w, w.open_prompt.pk),
        lambda w: {"minutes": "5"},
        lambda w: fresh(w.open_prompt).timer_ends_at is not None,
    ),
    Action(
        "scribe",
        lambda w: url("scribe", w),
        lambda w: scribe_data(w),
        lambda w: Contribution.objects.filter(text="From a paper card").exists(),
    ),
]
IDS = [a.id for a in ACTIONS]


# Who may use them


@pytest.mark.parametrize("action", ACTIONS, ids=IDS)
def test_facilitator_action_happens_and_returns_to_the_console(staff, world, action):
    """A facilitator's action is done and they are sent back to the console."""
    response = action.call(staff, world)
    assert response.status_code == 302
    assert response.url == console_url(world)
    assert action.done(world)


@pytest.mark.parametrize("action", ACTIONS, ids=IDS)
def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, world, action):
    """Without signing in: redirected to the sign-in page, and nothing happens."""
    response = action.call(client, world)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not action.done(world)


@pytest.mark.parametrize("action", ACTIONS, ids=IDS)
def test_a_participant_cookie_is_no_staff_access(participant_client, world, action):
    """A participant's join cookie alone is like being anonymous: sent to sign in."""
    response = action.call(participant_client, world)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not action.done(world)


@pytest.mark.parametrize("action", ACTIONS, ids=IDS)
def test_analyst_is_forbidden_and_nothing_changes(client, analyst, world, action):
    """Analysts are signed in but may not run workshops: 403."""
    client.force_login(analyst)
    assert action.call(client, world).status_code == 403
    assert not action.done(world)


# Moderate and edit, with htmx


def test_htmx_moderate_returns_the_updated_post_fragment(staff, world):
    """With HX-Request the console gets just the post's new markup, not a page."""
    response = staff.post(
        url("contribution_moderate", world, world.post.pk), {"state": "hidden"}, headers=HTMX
    )
    assert response.status_code == 200
    assert is_fragment(response)
    html = response.content.decode()
    assert f'id="console-contribution-{world.post.pk}"' in html
    assert "state-hidden" in html and "<strong>Hidden</strong>" in html
    assert "Show again" in html
    assert fresh(world.post).state == Contribution.State.HIDDEN


def test_htmx_approve_returns_the_post_without_its_approve_button(staff, world):
    """Approving a pending post shows it as visible."""
    Contribution.objects.filter(pk=world.post.pk).update(state=Contribution.State.PENDING)
    response = staff.post(
        url("contribution_moderate", world, world.post.pk), {"state": "visible"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and is_fragment(response)
    assert "state-visible" in html and "Approve" not in html
    assert fresh(world.post).state == Contribution.State.VISIBLE


def test_htmx_edit_returns_the_updated_post_fragment(staff, world):
    """With HX-Request an edit returns the post with its new text and the original kept."""
    response = staff.post(
        url("contribution_edit", world, world.post.pk), {"text": "Corrected post"}, headers=HTMX
    )
    assert response.status_code == 200
    assert is_fragment(response)
    html = response.content.decode()
    assert f'id="console-contribution-{world.post.pk}"' in html
    assert "Corrected post" in html
    assert "First written as: “Visible post”" in html
    post = fresh(world.post)
    assert (post.text, post.original_text) == ("Corrected post", "Visible post")


@pytest.mark.parametrize("state", ["", "deleted", "merged", "VISIBLE"])
def test_moderate_with_bogus_state_says_so_and_changes_nothing(staff, world, state):
    """An unknown state leaves the post as it was, with a message on the console."""
    response = staff.post(
        url("contribution_moderate", world, world.post.pk), {"state": state}, follow=True
    )
    assert response.status_code == 200
    assert any("show, hide or hold" in m for m in page_messages(response))
    assert fresh(world.post).state == Contribution.State.VISIBLE


def test_htmx_moderate_with_bogus_state_returns_the_unchanged_post_and_a_message(staff, world):
    """With htmx, a bogus state returns the post unchanged plus the message out of band."""
    response = staff.post(
        url("contribution_moderate", world, world.post.pk), {"state": "deleted"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and is_fragment(response)
    assert "state-visible" in html
    assert 'hx-swap-oob="true"' in html and "show, hide or hold" in html
    assert fresh(world.post).state == Contribution.State.VISIBLE


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001], ids=["empty", "blank", "too-long"])
def test_edit_with_bad_text_says_so_on_the_console_and_keeps_the_text(staff, world, text):
    """The refusal is shown on the next console page; the post's text is unchanged."""
    response = staff.post(url("contribution_edit", world, world.post.pk), {"text": text})
    assert response.status_code == 302
    page = staff.get(response.url)
    assert any("Please" in m for m in page_messages(page))
    post = fresh(world.post)
    assert (post.text, post.original_text, post.edited_at) == ("Visible post", "", None)


def test_edit_with_empty_text_shows_its_message(staff, world):
    """The console page after an empty edit says what to change."""
    response = staff.post(url("contribution_edit", world, world.post.pk), {"text": ""}, follow=True)
    assert "Please write something before you send it." in response.content.decode()
    assert fresh(world.post).text == "Visible post"


def test_htmx_edit_with_empty_text_returns_the_unchanged_post_and_a_message(staff, world):
    """With htmx, an empty edit returns the post unchanged and the message."""
    response = staff.post(
        url("contribution_edit", world, world.post.pk), {"text": ""}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and is_fragment(response)
    assert "Visible post" in html and "Please write something" in html
    assert fresh(world.post).text == "Visible post"


def test_moderating_a_merged_post_is_refused(staff, world):
    """A merged post cannot be shown, hidden or held; the console says why."""
    Contribution.objects.filter(pk=world.post.pk).update(
        state=Contribution.State.MERGED, merged_into=world.target
    )
    response = staff.post(
        url("contribution_moderate", world, world.post.pk), {"state": "visible"}, follow=True
    )
    assert any("merged" in m for m in page_messages(response))
    assert fresh(world.post).state == Contribution.State.MERGED


# Merge


def test_merge_says_which_post_went_where(staff, world):
    """A merge marks the duplicate and says which post went into which."""
    response = staff.post(
        url("contribution_merge", world, world.post.pk), {"into": world.target.pk}, follow=True
    )
    assert f"Post {world.post.pk} merged into post {world.target.pk}." in page_messages(response)
    post = fresh(world.post)
    assert post.state == Contribution.State.MERGED and post.merged_into == world.target


@pytest.mark.parametrize(
    "into",
    ["", "abc", "-3", "1.5", "#2", "²", "99999", "99999999999999999999999"],
    ids=["empty", "letters", "negative", "decimal", "hash", "superscript", "unknown", "huge"],
)
def test_merge_with_a_bad_target_says_so_and_changes_nothing(staff, world, into):
    """A target that is not the number of a post here is refused with a message."""
    response = staff.post(
        url("contribution_merge", world, world.post.pk), {"into": into}, follow=True
    )
    assert response.status_code == 200
    assert "Please give the number of a post in this workshop." in page_messages(response)
    post = fresh(world.post)
    assert post.state == Contribution.State.VISIBLE and post.merged_into is None


def test_merge_into_another_workshops_post_is_refused(staff, world):
    """A post of another workshop is not a merge target; neither post changes."""
    elsewhere = ContributionFactory()
    response = staff.post(
        url("contribution_merge", world, world.post.pk), {"into": elsewhere.pk}, follow=True
    )
    assert "Please give the number of a post in this workshop." in page_messages(response)
    assert fresh(world.post).state == Contribution.State.VISIBLE
    assert fresh(elsewhere).state == Contribution.State.VISIBLE


def test_merge_into_itself_is_refused(staff, world):
    """A post cannot be merged into itself."""
    response = staff.post(
        url("contribution_merge", world, world.post.pk), {"into": world.post.pk}, follow=True
    )
    assert any("Choose another post" in m for m in page_messages(response))
    assert fresh(world.post).state == Contribution.State.VISIBLE


def test_merge_of_another_workshops_post_is_404(staff, world):
    """A duplicate from another workshop than the URL's is not found."""
    elsewhere = ContributionFactory()
    response = staff.post(url("contribution_merge", world, elsewhere.pk), {"into": world.post.pk})
    assert response.status_code == 404
    assert fresh(elsewhere).state == Contribution.State.VISIBLE


# Spotlight


@pytest.mark.parametrize(
    "chosen",
    ["abc", "-1", "0", "1e3", "²", "99999", "99999999999999999999999"],
    ids=["letters", "negative", "zero", "exponent", "superscript", "unknown", "huge"],
)
def test_spotlight_with_garbage_says_so_and_changes_nothing(staff, world, chosen):
    """A value that names no post here is refused with a message; nothing goes on the wall."""
    response = staff.post(url("spotlight", world), {"contribution": chosen}, follow=True)
    assert response.status_code == 200
    assert "That post is not in this workshop." in page_messages(response)
    assert spotlight(world.workshop.pk) is None


def test_spotlight_of_another_workshops_post_is_refused(staff, world):
    """A post of another workshop cannot go on this wall."""
    elsewhere = ContributionFactory()
    response = staff.post(url("spotlight", world), {"contribution": elsewhere.pk}, follow=True)
    assert "That post is not in this workshop." in page_messages(response)
    assert spotlight(world.workshop.pk) is None


def test_spotlight_of_a_hidden_post_is_refused(staff, world):
    """A hidden post cannot go on the wall."""
    response = staff.post(url("spotlight", world), {"contribution": world.hidden.pk}, follow=True)
    assert any("Only a visible post" in m for m in page_messages(response))
    assert spotlight(world.workshop.pk) is None


def test_spotlight_shows_on_the_wall_and_an_empty_choice_takes_it_off(staff, world):
    """The spotlit post shows on the wall and console; an empty choice clears it."""
    staff.post(url("spotlight", world), {"contribution": world.post.pk})
    wall = staff.get(url("wall", world)).content.decode()
    assert 'id="spotlight"' in wall and "Visible post" in wall
    assert (
        f"On the wall now: post {world.post.pk}" in staff.get(console_url(world)).content.decode()
    )

    response = staff.post(url("spotlight", world), {"contribution": ""})
    assert response.status_code == 302
    assert spotlight(world.workshop.pk) is None
    assert 'id="spotlight"' not in staff.get(url("wall", world)).content.decode()


# Easy Read by default


def test_easy_read_default_on_and_off_from_the_console(staff, world, client):
    """For a young people's session started without it: phones that have not chosen then
    open in Easy Read."""
    staff.post(url("easy_read_default", world), {"easy_read_default": "on"})
    assert fresh(world.workshop).easy_read_default is True
    assert "Phones start in Easy Read unless" in staff.get(console_url(world)).content.decode()
    staff.post(url("easy_read_default", world), {"easy_read_default": "off"})
    assert fresh(world.workshop).easy_read_default is False
    assert "Phones start in the standard wording" in staff.get(console_url(world)).content.decode()


@pytest.mark.parametrize("value", ["", "yes", "ON", "on\x00", "1"])
def test_easy_read_default_refuses_anything_but_on_or_off_politely(staff, world, value):
    response = staff.post(url("easy_read_default", world), {"easy_read_default": value})
    assert response.status_code == 302
    assert fresh(world.workshop).easy_read_default is False
    page = staff.get(console_url(world)).content.decode()
    assert "Please choose whether phones start in Easy Read: on or off." in page


# Premoderation


def test_premoderation_on_and_off(staff, world):
    """The console's button turns holding posts for approval on and off."""
    staff.post(url("premoderation", world), {"premoderation": "on"})
    assert fresh(world.workshop).premoderation is True
    assert "New posts wait for your approval" in staff.get(console_url(world)).content.decode()
    staff.post(url("premoderation", world), {"premoderation": "off"})
    assert fresh(world.workshop).premoderation is False
    assert "New posts show straight away." in staff.get(console_url(world)).content.decode()


def test_premoderation_held_posts_appear_in_the_consoles_queue(staff, world, participant):
    """Once premoderation is on, a phone's post waits in the console's approval queue."""
    staff.post(url("premoderation", world), {"premoderation": "on"})
    phone = Client()
    phone.cookies[tokens.cookie_name(world.workshop)] = tokens.make_token(participant)
    phone.post(
        reverse("participants:contribute", args=[world.workshop.join_code]),
        {"prompt": world.open_prompt.pk, "text": "Please approve me", "client_id": uuid.uuid4()},
    )
    held = Contribution.objects.get(text="Please approve me")
    assert held.state == Contribution.State.PENDING
    queue = staff.get(console_url(world)).content.decode().split('id="console-queue"')[1]
    queue = queue.split("</ul>")[0]
    assert "Please approve me" in queue


# Prompt timer


@pytest.mark.parametrize("minutes", ["abc", "-1", "999", "121", "", "2.5", "²"])
def test_timer_with_bad_minutes_says_so_and_sets_nothing(staff, world, minutes):
    """Minutes that are not a whole number from 0 to 120 are refused with a message."""
    response = staff.post(
        url("prompt_timer", world, world.open_prompt.pk), {"minutes": minutes}, follow=True
    )
    assert response.status_code == 200
    assert "Choose between 0 and 120 minutes." in page_messages(response)
    assert fresh(world.open_prompt).timer_ends_at is None


def test_timer_zero_stops_a_running_timer(staff, world):
    """A timer shows on the console; 0 minutes stops it."""
    staff.post(url("prompt_timer", world, world.open_prompt.pk), {"minutes": "5"})
    assert fresh(world.open_prompt).timer_ends_at is not None
    assert "data-countdown" in staff.get(console_url(world)).content.decode()
    staff.post(url("prompt_timer", world, world.open_prompt.pk), {"minutes": "0"})
    assert fresh(world.open_prompt).timer_ends_at is None


def test_timer_on_a_closed_prompt_is_refused(staff, world):
    """A closed question cannot have a timer."""
    response = staff.post(
        url("prompt_timer", world, world.closed_prompt.pk), {"minutes": "5"}, follow=True
    )
    assert any("Open the question" in m for m in page_messages(response))
    assert fresh(world.closed_prompt).timer_ends_at is None


def test_timer_for_another_workshops_prompt_is_404(staff, world):
    """A prompt must belong to the workshop in the URL."""
    elsewhere = ContributionFactory().prompt
    response = staff.post(url("prompt_timer", world, elsewhere.pk), {"minutes": "5"})
    assert response.status_code == 404


# Entering a post for a group


def test_scribe_posts_for_the_group_marked_as_entered(staff, world, facilitator):
    """A post entered for a group is saved by its scribe, shown at once, marked as entered."""
    response = staff.post(url("scribe", world), scribe_data(world), follow=True)
    assert "Post added." in page_messages(response)
    contribution = Contribution.objects.get(text="From a paper card")
    assert contribution.entered_by == facilitator
    assert contribution.participant.is_scribe
    assert contribution.participant.group.slug == "education"
    assert contribution.state == Contribution.State.VISIBLE
    assert "entered by the facilitator" in response.content.decode()


def test_scribe_form_sent_twice_saves_one_post(staff, world):
    """The same form sent twice (same client id) saves one post."""
    data = scribe_data(world)
    staff.post(url("scribe", world), data)
    staff.post(url("scribe", world), data)
    assert Contribution.objects.filter(text="From a paper card").count() == 1


@pytest.mark.parametrize("text", ["", "   "], ids=["empty", "blank"])
def test_scribe_with_empty_text_is_400_with_an_error_and_saves_nothing(staff, world, text):
    """Empty text: 400, the error on the form, and nothing saved (no post, no scribe)."""
    before = Contribution.objects.count()
    response = staff.post(url("scribe", world), scribe_data(world, text=text))
    assert response.status_code == 400
    assert "Please write something before you send it." in response.content.decode()
    assert Contribution.objects.count() == before
    assert not Participant.objects.filter(is_scribe=True).exists()


def test_scribe_to_a_closed_prompt_is_refused(staff, world):
    """A closed question is not a choice on the form: 400 and nothing saved."""
    response = staff.post(url("scribe", world), scribe_data(world, prompt=world.closed_prompt.pk))
    assert response.status_code == 400
    assert "Choose one of the open questions" in response.content.decode()
    assert not Contribution.objects.filter(text="From a paper card").exists()


def test_scribe_to_a_prompt_closed_with_the_workshop_is_refused(staff, world):
    """A prompt left open in a workshop that has closed takes no posts either."""
    Workshop.objects.filter(pk=world.workshop.pk).update(status=Workshop.Status.CLOSED)
    response = staff.post(url("scribe", world), scribe_data(world))
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert not Contribution.objects.filter(text="From a paper card").exists()


def test_scribe_without_a_client_id_is_400(staff, world):
    """The form needs its client id: 400 and nothing saved."""
    response = staff.post(url("scribe", world), scribe_data(world, client_id=""))
    assert response.status_code == 400
    assert not Contribution.objects.filter(text="From a paper card").exists()


# Live regions and live pages


def test_console_with_hx_request_returns_only_its_live_region(staff, world):
    """A re-syncing console gets its live region, not the page."""
    response = staff.get(console_url(world), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and is_fragment(response)
    assert 'id="console-feed"' in html and "Visible post" in html
    assert "data-live-socket" not in html


def test_wall_with_hx_request_returns_only_its_live_region(staff, world):
    """A re-syncing wall gets its live region (visible posts only), not the page."""
    response = staff.get(url("wall", world), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and is_fragment(response)
    assert 'id="wall-feed"' in html and "Visible post" in html
    assert "Hidden post" not in html
    assert "data-live-socket" not in html


def test_feed_with_hx_request_returns_only_its_live_region(participant_client, world):
    """A re-syncing phone gets its feed's live region, not the page."""
    response = participant_client.get(
        reverse("participants:workshop", args=[world.workshop.join_code]), headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and is_fragment(response)
    assert "Visible post" in html and "Hidden post" not in html
    assert "data-live-socket" not in html


@pytest.mark.parametrize("page", ["console", "wall"])
def test_console_and_wall_pages_load_the_live_script_and_name_their_socket(staff, world, page):
    """The console and wall pages load live.js and name their socket."""
    html = staff.get(url(page, world)).content.decode()
    assert "<html" in html
    assert "js/live.js" in html
    socket = "facilitate" if page == "console" else "wall"
    assert f'data-live-socket="/ws/{socket}/{world.workshop.pk}/"' in html


def test_feed_page_loads_the_live_script_and_names_its_socket(participant_client, world):
    """The phone feed page loads live.js and names its socket."""
    code = world.workshop.join_code
    html = participant_client.get(reverse("participants:workshop", args=[code])).content.decode()
    assert "<html" in html and "js/live.js" in html
    assert f'data-live-socket="/ws/w/{code}/"' in html


def test_the_console_says_how_many_have_joined(staff, world):
    page = staff.get(console_url(world)).content.decode()
    assert "joined on their phones" in page and 'id="console-people"' in page


# The console's layout under live pressure


def test_the_approval_queue_comes_first_and_says_when_none_wait(staff, world):
    """The queue is the first heading of the live region, before the workshop's controls."""
    html = staff.get(console_url(world)).content.decode()
    assert html.index("Waiting for approval") < html.index("Status:")
    assert html.index('id="console-queue"') < html.index('id="console-feed"')
    assert "None waiting." in html


def test_a_pending_post_offers_approve_then_hide(staff, world):
    Contribution.objects.filter(pk=world.post.pk).update(state=Contribution.State.PENDING)
    html = staff.get(console_url(world)).content.decode()
    card = html.split(f'id="console-contribution-{world.post.pk}"')[1].split("</li>")[0]
    approve, hide = f'id="approve-{world.post.pk}"', f'id="moderate-{world.post.pk}"'
    assert card.index(approve) < card.index(hide)
    assert "Show on wall" not in card


def test_filters_offer_all_groups_and_all_tables_never_dashes(staff, world):
    ParticipantFactory(workshop=world.workshop, table_number=4)
    html = staff.get(console_url(world)).content.decode()
    assert "All groups" in html and "All tables" in html and "Table 4" in html
    assert "---------" not in html


@pytest.mark.parametrize("table", ["abc", "-1", "0", "99", "²"])
def test_a_table_filter_that_is_not_a_table_here_shows_every_post(staff, world, table):
    ParticipantFactory(workshop=world.workshop, table_number=4)
    response = staff.get(console_url(world), {"table": table})
    assert response.status_code == 200
    assert "Visible post" in response.content.decode()


def test_a_card_is_one_line_with_its_votes_as_a_stacked_bar_and_in_words(staff, world):
    """The votes are a bar and the same counts in words; the table by group is folded away."""
    voters = [ParticipantFactory(workshop=world.workshop) for _ in range(3)]
    for voter, choice in zip(voters, ["agree", "agree", "disagree"], strict=True):
        VoteFactory(contribution=world.post, participant=voter, choice=choice)
    html = staff.get(console_url(world)).content.decode()
    card = html.split(f'id="console-contribution-{world.post.pk}"')[1].split("</li>")[0]
    assert "2 agree, 1 disagree, 0 pass" in card
    assert 'class="vote-bar"' in card and 'aria-hidden="true"' in card
    assert card.index('<details class="by-group"') < card.index('class="tallies"')
    assert 'width="67"' in card and 'width="33"' in card


def test_a_card_without_votes_says_so_and_draws_no_bar(staff, world):
    html = staff.get(console_url(world)).content.decode()
    card = html.split(f'id="console-contribution-{world.post.pk}"')[1].split("</li>")[0]
    assert "No votes yet" in card and "vote-bar" not in card


@pytest.mark.parametrize(
    "tally",
    [Tally(1, 1, 1), Tally(2, 1, 0), Tally(0, 0, 7), Tally(1, 2, 4), Tally(333, 333, 334)],
    ids=str,
)
def test_vote_shares_add_up_to_a_whole_bar(tally):
    shares = vote_shares(tally)
    assert shares["agree"] + shares["disagree"] + shares["passes"] == 100
    assert shares["passes_from"] == shares["agree"] + shares["disagree"]


def test_vote_shares_of_no_votes_is_no_bar():
    assert vote_shares(Tally()) is None


# Hiding, with an Undo for 10 seconds


def hide(staff, world, post, **kwargs):
    return staff.post(url("contribution_moderate", world, post.pk), {"state": "hidden"}, **kwargs)


@pytest.mark.parametrize("before", [Contribution.State.VISIBLE, Contribution.State.PENDING])
def test_hiding_offers_an_undo_that_puts_the_post_back_as_it_was(staff, world, before):
    """Undo within the 10 seconds: the post is back as it was, visible or waiting."""
    Contribution.objects.filter(pk=world.post.pk).update(state=before)
    response = hide(staff, world, world.post, headers=HTMX)
    html = response.content.decode()
    assert fresh(world.post).state == Contribution.State.HIDDEN
    assert 'data-expires="10"' in html and f'id="undo-{world.post.pk}"' in html
    assert f'name="state" value="{before}"' in html
    assert "You can undo this for 10 seconds." in html  # in the announced message region
    undone = staff.post(
        url("contribution_moderate", world, world.post.pk), {"state": before}, headers=HTMX
    )
    assert fresh(world.post).state == before
    assert "undo-notice" not in undone.content.decode()
    assert f"Post {world.post.pk} is shown again." in undone.content.decode()


def test_hiding_without_javascript_says_how_to_undo(staff, world):
    response = hide(staff, world, world.post, follow=True)
    assert any("choose Show again" in m for m in page_messages(response))
    assert "undo-notice" not in response.content.decode()


def test_hiding_a_hidden_post_again_offers_no_undo(staff, world):
    html = hide(staff, world, world.hidden, headers=HTMX).content.decode()
    assert "undo-notice" not in html
    assert fresh(world.hidden).state == Contribution.State.HIDDEN


def test_the_undo_is_only_in_the_answer_to_whoever_hid_it(staff, world):
    """Other consoles get the post redrawn without it (the same fragment for everyone)."""
    from facilitation.renderers import console_fragment
    from facilitation.selectors import console_contribution

    hide(staff, world, world.post, headers=HTMX)
    assert "undo-notice" not in console_fragment(console_contribution(world.post.pk))


# Merging by choosing a post, never by typing its number


def merge_choices(staff, world, post, **query):
    return staff.get(url("merge_candidates", world, post.pk), query, headers=HTMX)


def test_the_console_has_no_number_box_for_merging(staff, world):
    html = staff.get(console_url(world)).content.decode()
    assert "Merge into post number" not in html
    assert 'name="into" type="number"' not in html
    assert f'id="merge-search-{world.post.pk}"' in html


def test_searching_finds_posts_by_their_words_each_with_a_merge_button(staff, world):
    html = merge_choices(staff, world, world.post, q="merge TARGET").content.decode()
    assert "Merge target" in html
    assert f'name="into" value="{world.target.pk}"' in html
    assert "Merge into this" in html
    assert "Visible post" not in html  # never itself


def test_a_search_leaves_out_merged_posts_and_other_workshops(staff, world):
    Contribution.objects.filter(pk=world.target.pk).update(
        state=Contribution.State.MERGED, merged_into=world.hidden
    )
    ContributionFactory(text="Merge target elsewhere")
    html = merge_choices(staff, world, world.post, q="Merge target").content.decode()
    assert "No other post of this workshop has “Merge target” in it." in html


def test_choosing_a_found_post_merges_into_it(staff, world):
    html = merge_choices(staff, world, world.post, q="target").content.decode()
    assert f'name="into" value="{world.target.pk}"' in html
    response = staff.post(
        url("contribution_merge", world, world.post.pk), {"into": world.target.pk}, follow=True
    )
    assert f"Post {world.post.pk} merged into post {world.target.pk}." in page_messages(response)


def test_without_javascript_the_choices_come_in_a_page(staff, world):
    response = staff.get(url("merge_candidates", world, world.post.pk), {"q": "target"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "Merge a post into another" in html and "Merge target" in html
    assert 'value="target"' in html  # the words searched stay in the box


@pytest.mark.parametrize(
    "words", ["", "   ", "nul\x00", "%", "_", "x" * 5000, "<script>alert(1)</script>"]
)
def test_odd_searches_answer_politely(staff, world, words):
    response = merge_choices(staff, world, world.post, q=words)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "Merge target" not in html


# Confirmations: closing and erasing ask first


def test_closing_is_asked_first_with_a_warning_button(staff, world):
    console = staff.get(console_url(world)).content.decode()
    assert f'href="{url("workshop_close", world)}"' in console
    assert 'name="status" value="closed"' not in console
    page = staff.get(url("workshop_close", world)).content.decode()
    assert "Close this workshop?" in page and "Warning: " in page
    assert 'class="button warning"' in page and 'name="status" value="closed"' in page
    assert f'action="{url("workshop_status", world)}"' in page
    assert fresh(world.workshop).status == Workshop.Status.LIVE


def test_reopening_from_the_console_opens_the_same_questions(staff, world):
    was_open = {world.open_prompt.pk}
    staff.post(url("workshop_status", world), {"status": "closed"})
    assert not world.workshop.prompts.filter(is_open=True).exists()
    assert "Reopen workshop" in staff.get(console_url(world)).content.decode()
    staff.post(url("workshop_status", world), {"status": "live"})
    assert set(world.workshop.prompts.filter(is_open=True).values_list("pk", flat=True)) == (
        was_open
    )


def test_erasing_is_asked_first_and_names_what_will_be_lost(staff, world):
    author = world.target.participant
    voter = ParticipantFactory(workshop=world.workshop)
    for post in (world.post, world.hidden):
        VoteFactory(contribution=post, participant=author)
    VoteFactory(contribution=world.target, participant=voter)
    erase = url("participant_erase", world, author.pk)
    console = staff.get(console_url(world)).content.decode()
    assert f'href="{erase}"' in console
    page = staff.get(erase).content.decode()
    assert "Erase this person&#x27;s data?" in page
    assert "This deletes 2 posts and 2 votes from this person (Health" in page
    assert 'class="button warning"' in page
    assert Participant.objects.filter(pk=author.pk).exists()
    response = staff.post(erase, follow=True)
    assert "Everything this participant gave has been erased." in page_messages(response)
    assert not Participant.objects.filter(pk=author.pk).exists()
    assert not Vote.objects.filter(participant=author).exists()


def test_erasing_someone_of_another_workshop_is_404(staff, world):
    elsewhere = ParticipantFactory()
    response = staff.get(url("participant_erase", world, elsewhere.pk))
    assert response.status_code == 404
