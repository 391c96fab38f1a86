"""The projector wall, driven from the console: pausing, posts by open question, results by
the agreement rule, what its socket is sent in each mode, and bad input on its controls."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from facilitation import renderers, selectors
from facilitation.models import WallDisplay
from facilitation.services import CHOOSE_WHAT_TO_SHOW, wall_set_paused, wall_set_showing
from participants import services as participant_services
from participants.models import Contribution
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    make_workshop,
    publish_report,
    stakeholder_group,
)
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
GROUPS = ("pcf", "education", "health")


def voters(workshop, per_group=3):
    return {
        slug: [
            ParticipantFactory(workshop=workshop, group=stakeholder_group(slug), display_name="")
            for _ in range(per_group)
        ]
        for slug in GROUPS
    }


def vote(people, post, choices):
    """Each group's people vote on `post`: choices[slug] is one choice for all of them."""
    for slug, choice in choices.items():
        for person in people[slug]:
            participant_services.vote_cast(participant=person, contribution=post, choice=choice)


@pytest.fixture
def room(facilitator):
    """A live workshop with two open questions and one closed, and posts on each."""
    workshop = make_workshop(open_prompts=2)
    first, second = workshop.prompts.filter(is_open=True).order_by("order")
    closed = workshop.prompts.filter(is_open=False).order_by("order").first()
    author = ParticipantFactory(workshop=workshop, group=stakeholder_group("other"))

    def post(prompt, text):
        return ContributionFactory(participant=author, prompt=prompt, text=text)

    return SimpleNamespace(
        workshop=workshop,
        first=first,
        second=second,
        closed=closed,
        author=author,
        agreed=post(first, "Every school should have a SEND lead"),
        divided=post(first, "Tribunals should be the first resort"),
        unvoted=post(second, "Nobody has voted on this yet"),
        of_closed=post(closed, "Answer to a closed question"),
        people=voters(workshop),
    )


@pytest.fixture
def staff(client, facilitator):
    client.force_login(facilitator)
    return client


def wall_page(staff, room, htmx=False):
    url = reverse("facilitation:wall", args=[room.workshop.pk])
    return staff.get(url, headers=HTMX if htmx else {}).content.decode()


def post_to(staff, room, name, data):
    return staff.post(reverse(f"facilitation:{name}", args=[room.workshop.pk]), data, follow=True)


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


def display(room):
    return selectors.wall_display(room.workshop.pk)


# ---- Posts mode ----------------------------------------------------------------------------


def test_each_open_question_is_a_labelled_column_and_closed_questions_leave(staff, room):
    html = wall_page(staff, room)
    for prompt in (room.first, room.second):
        assert f'id="wall-feed-{prompt.pk}"' in html
        assert f'aria-labelledby="wall-question-{prompt.pk}"' in html
        assert prompt.question in html
    assert "Every school should have a SEND lead" in html
    assert "Answer to a closed question" not in html
    assert room.closed.question not in html


def test_the_join_address_is_short_and_the_qr_code_large(staff, room):
    html = wall_page(staff, room)
    assert '<span class="wall-address">testserver</span>' in html
    assert 'width="320" height="320"' in html
    assert "Pause updates" not in html  # the console drives the wall


def test_a_running_timer_has_a_place_of_its_own(staff, room):
    workshop_services.prompt_set_timer(prompt=room.first, minutes=5)
    html = wall_page(staff, room, htmx=True)
    assert 'class="wall-timer-time" data-countdown=' in html


def test_closing_a_question_takes_its_posts_off_the_wall(staff, room):
    workshop_services.prompt_set_open(prompt=room.first, is_open=False)
    html = wall_page(staff, room, htmx=True)
    assert "Every school should have a SEND lead" not in html
    assert "Nobody has voted on this yet" in html


def test_no_participant_name_reaches_the_wall(staff, room):
    room.author.display_name = "Jemima Puddleduck"
    room.author.save()
    publish_report(room.workshop.series)  # what we heard is shown once published
    for showing in WallDisplay.Showing.values:
        wall_set_showing(workshop=room.workshop, showing=showing)
        assert "Jemima" not in wall_page(staff, room)


# ---- Pausing -------------------------------------------------------------------------------


def test_a_paused_wall_keeps_what_it_showed_and_counts_what_waits(staff, room):
    wall_set_paused(workshop=room.workshop, paused=True)
    later = ContributionFactory(participant=room.author, prompt=room.second, text="Came later")
    Contribution.objects.filter(pk=later.pk).update(created=timezone.now())
    html = wall_page(staff, room, htmx=True)
    assert "Came later" not in html
    assert "Every school should have a SEND lead" in html
    assert "Paused · 1 new post waiting" in html

    wall_set_paused(workshop=room.workshop, paused=False)
    html = wall_page(staff, room, htmx=True)
    assert "Came later" in html and "new post waiting" not in html


def test_pausing_twice_keeps_the_first_moment(room):
    first = wall_set_paused(workshop=room.workshop, paused=True).paused_at
    assert wall_set_paused(workshop=room.workshop, paused=True).paused_at == first


def test_a_new_post_on_a_paused_wall_only_updates_the_count(room):
    wall_set_paused(workshop=room.workshop, paused=True)
    later = ContributionFactory(participant=room.author, prompt=room.first, text="Held back")
    wall = renderers.contribution_changed(contribution=later)[renderers.WALL]
    assert [op["op"] for op in wall] == ["replace", "replace"]
    assert wall[0]["id"] == f"wall-contribution-{later.pk}"  # corrected only if already shown
    assert wall[1]["id"] == "wall-waiting" and "1 new post waiting" in wall[1]["html"]


def test_a_paused_wall_still_loses_a_hidden_post(room):
    wall_set_paused(workshop=room.workshop, paused=True)
    participant_services.contribution_set_state(contribution=room.agreed, state="hidden")
    wall = renderers.contribution_changed(contribution=room.agreed)[renderers.WALL]
    assert wall == [{"op": "remove", "id": f"wall-contribution-{room.agreed.pk}"}]


def test_a_live_wall_gets_a_new_post_in_its_questions_column(room):
    later = ContributionFactory(participant=room.author, prompt=room.second, text="New")
    wall = renderers.contribution_changed(contribution=later)[renderers.WALL]
    assert wall[0]["op"] == "upsert" and wall[0]["into"] == f"wall-feed-{room.second.pk}"


def test_a_post_to_a_closed_question_never_reaches_the_wall(room):
    wall = renderers.contribution_changed(contribution=room.of_closed)[renderers.WALL]
    assert wall == [{"op": "remove", "id": f"wall-contribution-{room.of_closed.pk}"}]


def test_a_paused_wall_is_sent_no_tallies(room):
    vote(room.people, room.agreed, {"pcf": "agree"})
    wall_set_paused(workshop=room.workshop, paused=True)
    assert renderers.tally_events([room.agreed.pk])[renderers.WALL] == []


# ---- Results mode --------------------------------------------------------------------------


def make_results(room):
    vote(room.people, room.agreed, dict.fromkeys(GROUPS, "agree"))
    vote(room.people, room.divided, {"pcf": "agree", "education": "disagree", "health": "agree"})


def test_results_show_common_ground_and_where_we_differ_by_the_rule(room):
    make_results(room)
    results = selectors.wall_results(room.workshop)
    assert [p.pk for p in results["common"]] == [room.agreed.pk]
    assert [p.pk for p in results["differ"]] == [room.divided.pk]
    lines = {line.group.name: line.tally.agree for line in results["common"][0].lines}
    assert lines == {"Parent carer forum": 3, "Education setting": 3, "Health service": 3}


def test_posts_below_the_thresholds_are_never_results(room):
    # Two votes a group: too few for the rule to judge.
    people = {slug: group[:2] for slug, group in room.people.items()}
    vote(people, room.agreed, dict.fromkeys(GROUPS, "agree"))
    assert selectors.wall_results(room.workshop) == {"common": [], "differ": []}


def test_results_for_one_question_leave_the_others_out(room):
    make_results(room)
    assert selectors.wall_results(room.workshop, room.second) == {"common": [], "differ": []}


def test_the_wall_in_results_mode_shows_bars_counts_and_group_names(staff, room):
    make_results(room)
    wall_set_showing(workshop=room.workshop, showing="results")
    html = wall_page(staff, room)
    assert 'id="wall-results"' in html and "Common ground so far" in html
    assert "Where we differ" in html and "Results for the whole workshop" in html
    assert "Parent carer forum" in html and "3 agree, 0 disagree, 0 pass" in html
    assert 'class="wall-bar"' in html
    assert "Nobody has voted on this yet" not in html


def test_results_reach_the_wall_through_the_tally_updates(room):
    wall_set_showing(workshop=room.workshop, showing="results", prompt=room.first)
    make_results(room)
    wall = renderers.tally_events([room.agreed.pk, room.divided.pk])[renderers.WALL]
    assert len(wall) == 1 and wall[0]["id"] == "wall-results"
    assert "Every school should have a SEND lead" in wall[0]["html"]
    assert room.first.question in wall[0]["html"]


def test_a_new_post_does_not_redraw_the_results(room):
    wall_set_showing(workshop=room.workshop, showing="results")
    later = ContributionFactory(participant=room.author, prompt=room.first, text="New")
    assert renderers.contribution_changed(contribution=later)[renderers.WALL] == []


def test_hiding_a_result_redraws_the_results_without_it(room):
    make_results(room)
    wall_set_showing(workshop=room.workshop, showing="results")
    participant_services.contribution_set_state(contribution=room.agreed, state="hidden")
    wall = renderers.contribution_changed(contribution=room.agreed)[renderers.WALL]
    assert wall[0]["id"] == "wall-results"
    assert "Every school should have a SEND lead" not in wall[0]["html"]


# ---- The console's controls ----------------------------------------------------------------


def test_the_console_shows_the_wall_controls(staff, room):
    html = staff.get(reverse("facilitation:console", args=[room.workshop.pk])).content.decode()
    assert "Pause the wall" in html and "Show on the wall" in html
    assert "The wall shows <strong>posts as they come</strong>" in html


def test_pause_and_resume_from_the_console(staff, room):
    response = post_to(staff, room, "wall_pause", {"paused": "yes"})
    assert display(room).paused
    assert "The wall is paused: new posts wait until you resume it." in page_messages(response)
    assert "Resume the wall" in response.content.decode()
    post_to(staff, room, "wall_pause", {"paused": "no"})
    assert not display(room).paused


def test_choose_results_for_one_question_from_the_console(staff, room):
    response = post_to(
        staff, room, "wall_show", {"showing": "results", "prompt": str(room.second.pk)}
    )
    chosen = display(room)
    assert chosen.shows_results and chosen.prompt == room.second
    assert page_messages(response)[-1].startswith("The wall now shows results for the question")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"paused": "maybe"}, "Please choose to pause the wall or to let it carry on."),
        ({}, "Please choose to pause the wall or to let it carry on."),
    ],
)
def test_bad_pause_input_is_refused_politely(staff, room, data, message):
    response = post_to(staff, room, "wall_pause", data)
    assert message in page_messages(response)
    assert not WallDisplay.objects.filter(workshop=room.workshop).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"showing": "fireworks"}, CHOOSE_WHAT_TO_SHOW),
        ({}, CHOOSE_WHAT_TO_SHOW),
        ({"showing": "results", "prompt": "abc"}, "That question is not in this workshop."),
        ({"showing": "results", "prompt": "9" * 30}, "That question is not in this workshop."),
        ({"showing": "results", "prompt": "-1"}, "That question is not in this workshop."),
    ],
)
def test_bad_show_input_is_refused_politely_and_changes_nothing(staff, room, data, message):
    wall_set_showing(workshop=room.workshop, showing="results", prompt=room.first)
    response = post_to(staff, room, "wall_show", data)
    assert any(message in shown for shown in page_messages(response))
    chosen = display(room)
    assert chosen.shows_results and chosen.prompt == room.first


def test_a_question_of_another_workshop_is_refused(staff, room):
    elsewhere = make_workshop().prompts.first()
    response = post_to(staff, room, "wall_show", {"showing": "results", "prompt": elsewhere.pk})
    assert any("not in this workshop" in shown for shown in page_messages(response))
    assert not display(room).shows_results


def test_the_service_refuses_another_workshops_question(room):
    elsewhere = make_workshop().prompts.first()
    with pytest.raises(Exception, match="not in this workshop"):
        wall_set_showing(workshop=room.workshop, showing="results", prompt=elsewhere)


@pytest.mark.parametrize("name", ["wall_pause", "wall_show"])
def test_analysts_cannot_drive_the_wall(client, analyst, room, name):
    client.force_login(analyst)
    response = client.post(reverse(f"facilitation:{name}", args=[room.workshop.pk]), {})
    assert response.status_code == 403
    assert not WallDisplay.objects.exists()


@pytest.mark.parametrize("name", ["wall_pause", "wall_show"])
def test_the_wall_controls_answer_post_only(staff, room, name):
    assert staff.get(reverse(f"facilitation:{name}", args=[room.workshop.pk])).status_code == 405
