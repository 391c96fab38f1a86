"""Facilitator pages: who may use them, what each does, how bad input is handled, and that
the console's query count does not grow with the number of posts."""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Contribution
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    SeriesFactory,
    make_workshop,
    send_reform,
    stakeholder_group,
)
from tests.helpers import form_post_data, populate
from workshops.forms import PromptFormSet
from workshops.models import Series, Workshop

pytestmark = pytest.mark.django_db

# The console's queries: session, user, their two-step device, their roles, whether the
# workshop is one of their organisations', the workshop, prompts, posts,
# tallies, groups, the filter's group and table choices, and the scribe form's prompt and group
# choices (two each: a required select without an empty label reads its first choice
# separately), the groups present, for the suggested class, how many joined, and what the
# wall shows. None of them is per post.
CONSOLE_MAX_QUERIES = 19


@pytest.fixture
def world(workshop, participant):
    """A live workshop with one open and seven closed prompts, and one visible post."""
    return SimpleNamespace(
        workshop=workshop,
        series=workshop.series,
        closed_prompt=workshop.prompts.filter(is_open=False).order_by("order").first(),
        contribution=ContributionFactory(participant=participant, text="Visible post"),
    )


def prompts_edit_data(workshop):
    formset = PromptFormSet(
        queryset=workshop.prompts.all(), form_kwargs={"framework": workshop.series.framework}
    )
    data = form_post_data(formset)
    data["form-0-question"] = "What would good early help look like?"
    return data


@dataclass
class Endpoint:
    """One facilitator URL: how to call it, and whether its effect happened."""

    id: str
    method: str
    url: object  # world -> str
    data: object = None  # world -> dict
    done: object = None  # world -> bool, for POSTs

    def call(self, client, world):
        data = self.data(world) if self.data else {}
        return getattr(client, self.method)(self.url(world), data)


ENDPOINTS = [
    Endpoint("series-list", "get", lambda w: reverse("facilitation:series_list")),
    Endpoint(
        "series-create",
        "post",
        lambda w: reverse("facilitation:series_list"),
        lambda w: {
            "name": "Spring 2026 programme",
            "organisation": send_reform().organisation_id,
            "framework": send_reform().pk,
        },
        lambda w: Series.objects.filter(name="Spring 2026 programme").exists(),
    ),
    Endpoint(
        "series-detail", "get", lambda w: reverse("facilitation:series_detail", args=[w.series.pk])
    ),
    Endpoint(
        "workshop-create",
        "post",
        lambda w: reverse("facilitation:series_detail", args=[w.series.pk]),
        lambda w: {
            "title": "Bristol workshop",
            "kind": "regional",
            "region": "South West",
            "venue": "Town hall",
            "starts_at_day": "2",
            "starts_at_month": "3",
            "starts_at_year": "2026",
            "starts_at_time": "10:00",
        },
        lambda w: w.series.workshops.filter(title="Bristol workshop").exists(),
    ),
    Endpoint("console", "get", lambda w: reverse("facilitation:console", args=[w.workshop.pk])),
    Endpoint(
        "status",
        "post",
        lambda w: reverse("facilitation:workshop_status", args=[w.workshop.pk]),
        lambda w: {"status": "closed"},
        lambda w: Workshop.objects.get(pk=w.workshop.pk).status == "closed",
    ),
    Endpoint(
        "prompts-edit", "get", lambda w: reverse("facilitation:prompts_edit", args=[w.workshop.pk])
    ),
    Endpoint(
        "prompts-save",
        "post",
        lambda w: reverse("facilitation:prompts_edit", args=[w.workshop.pk]),
        lambda w: prompts_edit_data(w.workshop),
        lambda w: w.workshop.prompts.filter(
            question="What would good early help look like?"
        ).exists(),
    ),
    Endpoint(
        "prompt-toggle",
        "post",
        lambda w: reverse("facilitation:prompt_toggle", args=[w.workshop.pk, w.closed_prompt.pk]),
        None,
        lambda w: w.workshop.prompts.get(pk=w.closed_prompt.pk).is_open,
    ),
    Endpoint(
        "moderate",
        "post",
        lambda w: reverse(
            "facilitation:contribution_moderate", args=[w.workshop.pk, w.contribution.pk]
        ),
        lambda w: {"state": "hidden"},
        lambda w: Contribution.objects.get(pk=w.contribution.pk).state == "hidden",
    ),
    Endpoint("wall", "get", lambda w: reverse("facilitation:wall", args=[w.workshop.pk])),
    Endpoint("qr", "get", lambda w: reverse("facilitation:qr_code", args=[w.workshop.pk])),
]
IDS = [e.id for e in ENDPOINTS]


def assert_sent_to_login_or_forbidden(response):
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_anonymous_is_refused(client, world, endpoint):
    """Without signing in: sent to sign in (or 403), and nothing changes."""
    assert_sent_to_login_or_forbidden(endpoint.call(client, world))
    if endpoint.done:
        assert not endpoint.done(world)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_participant_cookie_is_refused(participant_client, world, endpoint):
    """A participant's join cookie gives no staff access."""
    assert_sent_to_login_or_forbidden(endpoint.call(participant_client, world))
    if endpoint.done:
        assert not endpoint.done(world)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_analyst_is_forbidden(client, analyst, world, endpoint):
    """Analysts are signed in but may not run workshops: 403 and nothing changes."""
    client.force_login(analyst)
    assert endpoint.call(client, world).status_code == 403
    if endpoint.done:
        assert not endpoint.done(world)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=IDS)
def test_facilitator_is_allowed_and_the_action_happens(client, facilitator, world, endpoint):
    """Facilitators get the page (200) or the action done and a redirect (302)."""
    client.force_login(facilitator)
    response = endpoint.call(client, world)
    if endpoint.method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert endpoint.done(world)


# What each page shows or does


def test_series_create_redirects_to_the_new_series(client, facilitator):
    """A new series opens on its own page."""
    client.force_login(facilitator)
    response = client.post(
        reverse("facilitation:series_list"),
        {
            "name": "North",
            "organisation": send_reform().organisation_id,
            "framework": send_reform().pk,
        },
    )
    series = Series.objects.get(name="North")
    assert response.url == reverse("facilitation:series_detail", args=[series.pk])


def test_workshop_create_opens_its_console_with_eight_prompts(client, facilitator):
    """A new workshop opens on its console, made with one prompt per recommendation."""
    series = SeriesFactory()
    client.force_login(facilitator)
    response = client.post(
        reverse("facilitation:series_detail", args=[series.pk]),
        {
            "title": "Leeds",
            "kind": "regional",
            "starts_at_day": "2",
            "starts_at_month": "3",
            "starts_at_year": "2026",
            "starts_at_time": "10:00",
        },
    )
    workshop = series.workshops.get()
    assert response.url == reverse("facilitation:console", args=[workshop.pk])
    assert workshop.prompts.count() == 8
    assert workshop.status == Workshop.Status.DRAFT


def test_series_form_without_name_is_400(client, facilitator):
    """A series needs a name: 400, the error shown, nothing saved."""
    client.force_login(facilitator)
    before = Series.objects.count()
    response = client.post(reverse("facilitation:series_list"), {"framework": send_reform().pk})
    assert response.status_code == 400
    assert "Enter a name for the series" in response.content.decode()
    assert Series.objects.count() == before


@pytest.mark.parametrize(
    "day, month, year, time, error",
    [
        ("", "", "", "", "Enter the date and time the workshop starts"),
        ("not", "a", "date", "10:00", "Enter the year as 4 digits"),
        ("45", "13", "2026", "10:00", "Start date and time must be a real date"),
        ("2", "3", "2026", "", "Start date and time must include a time"),
    ],
)
def test_workshop_form_with_bad_date_is_400(client, facilitator, day, month, year, time, error):
    """A workshop needs a real start time: 400, the reason shown and nothing saved."""
    series = SeriesFactory()
    client.force_login(facilitator)
    response = client.post(
        reverse("facilitation:series_detail", args=[series.pk]),
        {
            "title": "Leeds",
            "kind": "regional",
            "starts_at_day": day,
            "starts_at_month": month,
            "starts_at_year": year,
            "starts_at_time": time,
        },
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not series.workshops.exists()


def test_status_with_bogus_value_says_so_and_changes_nothing(client, facilitator, workshop):
    """An unknown status is refused with a message; the workshop and its prompts are unchanged."""
    client.force_login(facilitator)
    response = client.post(
        reverse("facilitation:workshop_status", args=[workshop.pk]),
        {"status": "paused"},
        follow=True,
    )
    assert "Unknown workshop status." in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.LIVE
    assert workshop.prompts.filter(is_open=True).count() == 1


def test_closing_from_the_console_closes_prompts(client, facilitator, workshop):
    """Closing the workshop closes its open questions too."""
    client.force_login(facilitator)
    response = client.post(
        reverse("facilitation:workshop_status", args=[workshop.pk]),
        {"status": "closed"},
        follow=True,
    )
    assert "The workshop is now closed." in response.content.decode()
    assert not workshop.prompts.filter(is_open=True).exists()


def test_prompt_toggle_in_a_draft_workshop_says_so_and_stays_closed(client, facilitator):
    """A question cannot be opened before the workshop starts; the facilitator is told why."""
    draft = make_workshop(status=Workshop.Status.DRAFT)
    prompt = draft.prompts.first()
    client.force_login(facilitator)
    response = client.post(
        reverse("facilitation:prompt_toggle", args=[draft.pk, prompt.pk]), follow=True
    )
    assert "Start the workshop before opening a question." in response.content.decode()
    prompt.refresh_from_db()
    assert not prompt.is_open


def test_prompt_toggle_closes_an_open_prompt(client, facilitator, workshop):
    """Toggling an open question closes it."""
    prompt = workshop.prompts.get(is_open=True)
    client.force_login(facilitator)
    client.post(reverse("facilitation:prompt_toggle", args=[workshop.pk, prompt.pk]))
    prompt.refresh_from_db()
    assert not prompt.is_open


def test_prompt_toggle_with_another_workshops_prompt_is_404(client, facilitator, workshop):
    """A prompt id must belong to the workshop in the URL."""
    other_prompt = make_workshop().prompts.filter(is_open=False).first()
    client.force_login(facilitator)
    url = reverse("facilitation:prompt_toggle", args=[workshop.pk, other_prompt.pk])
    assert client.post(url).status_code == 404
    other_prompt.refresh_from_db()
    assert not other_prompt.is_open


@pytest.mark.parametrize("state", ["", "deleted", "VISIBLE"])
def test_moderate_with_bogus_state_changes_nothing(client, facilitator, world, state):
    """An unknown moderation state leaves the post as it was, with a message."""
    client.force_login(facilitator)
    url = reverse(
        "facilitation:contribution_moderate", args=[world.workshop.pk, world.contribution.pk]
    )
    response = client.post(url, {"state": state}, follow=True)
    assert response.status_code == 200
    assert response.context["messages"]
    world.contribution.refresh_from_db()
    assert world.contribution.state == Contribution.State.VISIBLE


def test_moderate_shows_a_hidden_post_again(client, facilitator, world):
    """A hidden post can be shown again."""
    world.contribution.state = Contribution.State.HIDDEN
    world.contribution.save(update_fields=["state"])
    client.force_login(facilitator)
    url = reverse(
        "facilitation:contribution_moderate", args=[world.workshop.pk, world.contribution.pk]
    )
    client.post(url, {"state": "visible"})
    world.contribution.refresh_from_db()
    assert world.contribution.state == Contribution.State.VISIBLE


def test_moderate_another_workshops_post_is_404(client, facilitator, workshop):
    """A post id must belong to the workshop in the URL."""
    elsewhere = ContributionFactory()
    client.force_login(facilitator)
    url = reverse("facilitation:contribution_moderate", args=[workshop.pk, elsewhere.pk])
    assert client.post(url, {"state": "hidden"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.state == Contribution.State.VISIBLE


def test_prompts_edit_with_empty_question_is_400(client, facilitator, workshop):
    """Every question needs text: 400 and nothing saved."""
    client.force_login(facilitator)
    data = prompts_edit_data(workshop)
    data["form-0-question"] = ""
    first = workshop.prompts.order_by("order").first()
    response = client.post(reverse("facilitation:prompts_edit", args=[workshop.pk]), data)
    assert response.status_code == 400
    assert workshop.prompts.order_by("order").first().question == first.question


def test_prompts_edit_can_add_a_question(client, facilitator, workshop):
    """The spare row adds a new question to the workshop."""
    client.force_login(facilitator)
    data = prompts_edit_data(workshop)
    data["form-8-question"] = "Anything else?"
    data["form-8-order"] = "9"
    client.post(reverse("facilitation:prompts_edit", args=[workshop.pk]), data)
    assert workshop.prompts.filter(question="Anything else?", order=9).exists()
    assert workshop.prompts.count() == 9


# Console filters


@pytest.fixture
def tabled_posts(workshop):
    def post(slug, table, text):
        person = ParticipantFactory(
            workshop=workshop, group=stakeholder_group(slug), table_number=table
        )
        return ContributionFactory(participant=person, text=text)

    return [
        post("pcf", 1, "Parent carer at table one"),
        post("education", 2, "Teacher at table two"),
        post("health", 1, "Nurse at table one"),
    ]


def console_texts(client, workshop, **params):
    response = client.get(reverse("facilitation:console", args=[workshop.pk]), params)
    assert response.status_code == 200
    content = response.content.decode()
    texts = ["Parent carer at table one", "Teacher at table two", "Nurse at table one"]
    return {text for text in texts if text in content}


def test_console_shows_every_post_unfiltered(client, facilitator, workshop, tabled_posts):
    """With no filter the console shows every post."""
    client.force_login(facilitator)
    assert len(console_texts(client, workshop)) == 3


def test_console_filters_by_group(client, facilitator, workshop, tabled_posts):
    """Filtering by group shows only that group's posts."""
    client.force_login(facilitator)
    shown = console_texts(client, workshop, group=stakeholder_group("education").pk)
    assert shown == {"Teacher at table two"}


def test_console_filters_by_table(client, facilitator, workshop, tabled_posts):
    """Filtering by table shows only that table's posts."""
    client.force_login(facilitator)
    assert console_texts(client, workshop, table=1) == {
        "Parent carer at table one",
        "Nurse at table one",
    }


def test_console_filters_combine(client, facilitator, workshop, tabled_posts):
    """Group and table together narrow to posts matching both."""
    client.force_login(facilitator)
    assert console_texts(client, workshop, group=stakeholder_group("pcf").pk, table=2) == set()
    shown = console_texts(client, workshop, group=stakeholder_group("health").pk, table=1)
    assert shown == {"Nurse at table one"}


def test_console_ignores_an_invalid_filter(client, facilitator, workshop, tabled_posts):
    """A nonsense filter value shows everything rather than failing."""
    client.force_login(facilitator)
    assert len(console_texts(client, workshop, table="abc")) == 3


# Wall and QR code


def test_qr_code_is_an_svg(client, facilitator, workshop):
    """The QR code is served as SVG."""
    client.force_login(facilitator)
    response = client.get(reverse("facilitation:qr_code", args=[workshop.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_wall_shows_the_join_code_and_qr(client, facilitator, workshop):
    """The wall shows the join code, the QR code and the open question."""
    client.force_login(facilitator)
    response = client.get(reverse("facilitation:wall", args=[workshop.pk]))
    content = response.content.decode()
    assert workshop.join_code in content
    assert reverse("facilitation:qr_code", args=[workshop.pk]) in content
    assert workshop.prompts.get(is_open=True).question in content


def test_wall_shows_visible_posts_only(client, facilitator, world):
    """Hidden posts are not on the wall."""
    hidden = ContributionFactory(participant=world.contribution.participant, text="Hidden one")
    hidden.state = Contribution.State.HIDDEN
    hidden.save(update_fields=["state"])
    client.force_login(facilitator)
    content = client.get(reverse("facilitation:wall", args=[world.workshop.pk])).content.decode()
    assert "Visible post" in content
    assert "Hidden one" not in content


# Query count


def console_queries(client, workshop):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("facilitation:console", args=[workshop.pk]))
    assert response.status_code == 200
    return len(queries)


def test_console_query_count_does_not_grow_with_posts(
    client, facilitator, django_assert_max_num_queries
):
    """The console costs the same few queries with 3 posts as with 120 posts and 360 votes."""
    client.force_login(facilitator)
    small, large = make_workshop(), make_workshop()
    populate(small, posts=3)
    populate(large, posts=120)
    assert large.contributions.count() == 120
    assert console_queries(client, large) == console_queries(client, small)
    with django_assert_max_num_queries(CONSOLE_MAX_QUERIES):
        response = client.get(reverse("facilitation:console", args=[large.pk]))
    assert response.content.decode().count('class="tallies"') == 120
