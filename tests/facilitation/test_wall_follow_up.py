"""The wall after the report: "What we heard, and what happened" from the published report
and its responses, offered on the console only once there is one, and the wall of a closed
workshop thanking the room with the address and QR code of the public results page."""

import pytest
import segno
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from django.urls import reverse

from facilitation import renderers, selectors
from facilitation.models import WallDisplay
from facilitation.services import CHOOSE_WHAT_TO_SHOW, wall_set_paused, wall_set_showing
from synthesis.models import Finding, FindingResponse
from synthesis.publication import announce_results_changed, report_version_unpublish
from tests.factories import (
    ContributionFactory,
    FindingFactory,
    FindingResponseFactory,
    ParticipantFactory,
    make_workshop,
    publish_report,
)
from tests.sockets import events, wall
from workshops import services as workshop_services
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NOTHING_PUBLISHED = "There is no published report for this series yet."


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://www.ground.example.org/"
    return settings


@pytest.fixture
def workshop(site):
    return make_workshop(title="Spring workshop")


@pytest.fixture
def staff(client, facilitator):
    client.force_login(facilitator)
    return client


@pytest.fixture
def findings(workshop):
    """Two key findings of the series, one with a history of responses, one with none."""
    series = workshop.series
    waits = FindingFactory(series=series, title="Families wait too long for assessments")
    FindingResponseFactory(
        finding=waits,
        status=FindingResponse.Status.CONSIDERING,
        action="We will ask families which part of the wait is hardest.",
    )
    FindingResponseFactory(
        finding=waits,
        status=FindingResponse.Status.IN_PROGRESS,
        action="Every family waiting for an assessment now has one named contact. " * 3,
    )
    early = FindingFactory(
        series=series, title="What should change first", kind=Finding.Kind.DEBATE
    )
    return waits, early


def address(workshop):
    return f"ground.example.org/r/{workshop.series.results_code}"


def wall_page(staff, workshop, htmx=False):
    url = reverse("facilitation:wall", args=[workshop.pk])
    return staff.get(url, headers=HTMX if htmx else {}).content.decode()


def console_page(staff, workshop):
    return staff.get(reverse("facilitation:console", args=[workshop.pk])).content.decode()


def show(staff, workshop, data):
    url = reverse("facilitation:wall_show", args=[workshop.pk])
    return staff.post(url, data, follow=True)


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


# ---- The console's choice ------------------------------------------------------------------


def test_the_choice_waits_for_a_published_report_and_says_why(staff, workshop):
    """Before anything is published the option cannot be chosen, and says what it needs."""
    html = console_page(staff, workshop)
    assert 'value="heard" disabled aria-describedby="wall-showing-heard-hint"' in html
    hint = '<p class="hint" id="wall-showing-heard-hint">Publish a final report to show this.'
    assert hint in html


def test_the_choice_is_offered_once_a_report_is_published(staff, workshop, findings):
    """A published final version makes the option a choice like the others."""
    publish_report(workshop.series)
    html = console_page(staff, workshop)
    assert 'id="wall-showing-heard" name="showing" value="heard">' in html
    assert "Publish a final report to show this." not in html


def test_choosing_it_from_the_console_puts_it_on_the_wall(staff, workshop, findings):
    """The console says what the wall now shows, in words."""
    publish_report(workshop.series)
    response = show(staff, workshop, {"showing": "heard", "prompt": ""})
    shows = "what we heard, and what happened"
    assert page_messages(response)[-1] == f"The wall now shows {shows}."
    assert selectors.wall_display(workshop.pk).shows_heard
    assert f"The wall shows <strong>{shows}</strong>" in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"showing": "heard"}, NOTHING_PUBLISHED),
        ({"showing": "Heard"}, CHOOSE_WHAT_TO_SHOW),
        ({"showing": "heard\x00"}, CHOOSE_WHAT_TO_SHOW),
    ],
)
def test_it_is_refused_politely_without_a_published_report(staff, workshop, data, message):
    """Nothing published, or a value that is no choice: a message, and the wall unchanged."""
    wall_set_showing(workshop=workshop, showing="results")
    response = show(staff, workshop, data)
    assert response.status_code == 200
    assert any(message in shown for shown in page_messages(response))
    assert selectors.wall_display(workshop.pk).shows_results


def test_a_report_taken_down_is_not_enough(workshop, findings):
    """Only a version on the public page now counts: one unpublished does not."""
    version = publish_report(workshop.series)
    report_version_unpublish(version)
    with pytest.raises(Exception, match="Publish a final report"):
        wall_set_showing(workshop=workshop, showing=WallDisplay.Showing.HEARD)


# ---- The slide -----------------------------------------------------------------------------


def test_the_slide_shows_each_finding_and_where_its_latest_response_stands(
    staff, workshop, findings
):
    """Title, kind, the latest response's status in words and its action cut short; the
    results address and QR code; nothing older, and neither quotes nor names."""
    quoted = ContributionFactory(
        participant=ParticipantFactory(workshop=workshop, display_name="Jemima Puddleduck"),
        text="My son waited two years",
    )
    findings[0].contributions.add(quoted)
    publish_report(workshop.series)
    wall_set_showing(workshop=workshop, showing="heard")
    html = wall_page(staff, workshop)
    assert "What we heard, and what happened" in html
    assert "Families wait too long for assessments" in html and "Common ground" in html
    assert "<strong>In progress:</strong> Every family waiting for an assessment now" in html
    assert "now has one named contact. Every family waiting for an assessment now has" not in html
    assert "Being considered" not in html  # an earlier step of its history
    assert "What should change first" in html and "Point of debate" in html
    assert "<strong>No response yet</strong>" in html
    assert f'<span class="wall-address">{address(workshop)}</span>' in html
    assert reverse("facilitation:results_qr_code", args=[workshop.pk]) in html
    assert "Jemima" not in html and "My son waited" not in html
    assert "more at" not in html


def test_a_few_findings_fit_and_the_rest_are_counted(staff, workshop):
    """The first few findings, in the report's order, then how many more are online."""
    for number in range(selectors.WALL_FINDINGS_SHOWN + 2):
        FindingFactory(series=workshop.series, title=f"Finding number {number}")
    publish_report(workshop.series)
    wall_set_showing(workshop=workshop, showing="heard")
    html = wall_page(staff, workshop, htmx=True)
    assert html.count('class="wall-finding"') == selectors.WALL_FINDINGS_SHOWN
    assert f"Finding number {selectors.WALL_FINDINGS_SHOWN - 1}" in html
    assert f"Finding number {selectors.WALL_FINDINGS_SHOWN}" not in html
    assert f'And 2 more at <span class="wall-address">{address(workshop)}</span>' in html


def test_only_what_was_published_reaches_the_slide(staff, workshop, findings):
    """A finding written after publishing waits for the next published version."""
    publish_report(workshop.series)
    FindingFactory(series=workshop.series, title="Drafted after publishing")
    wall_set_showing(workshop=workshop, showing="heard")
    assert "Drafted after publishing" not in wall_page(staff, workshop)


def test_unpublished_since_the_slide_says_results_will_appear(staff, workshop, findings):
    """Taken down while on the wall: the slide says what the public page says."""
    version = publish_report(workshop.series)
    wall_set_showing(workshop=workshop, showing="heard")
    report_version_unpublish(version)
    html = wall_page(staff, workshop, htmx=True)
    assert "Families wait too long" not in html
    assert "Results will appear here when the organisers publish them." in html


def test_posts_and_votes_leave_the_slide_alone(workshop, findings):
    """The slide shows the published report: a new post or its votes send the wall nothing."""
    publish_report(workshop.series)
    wall_set_showing(workshop=workshop, showing="heard")
    post = ContributionFactory(participant=ParticipantFactory(workshop=workshop))
    assert renderers.contribution_changed(contribution=post)[renderers.WALL] == []
    assert renderers.tally_events([post.pk])[renderers.WALL] == []


def test_pausing_and_switching_back_work_as_before(staff, workshop, findings):
    """Paused, the slide stays and counts what waits; posts come back when chosen again."""
    publish_report(workshop.series)
    wall_set_showing(workshop=workshop, showing="heard")
    wall_set_paused(workshop=workshop, paused=True)
    html = wall_page(staff, workshop, htmx=True)
    assert "Families wait too long" in html and "Paused · 0 new posts waiting" in html
    wall_set_paused(workshop=workshop, paused=False)
    wall_set_showing(workshop=workshop, showing="posts")
    html = wall_page(staff, workshop, htmx=True)
    assert "Families wait too long" not in html and 'class="wall-columns"' in html


def test_the_results_qr_code_opens_the_public_results_page(staff, workshop):
    """The code drawn is that of the results page on the site's own address."""
    response = staff.get(reverse("facilitation:results_qr_code", args=[workshop.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    url = f"https://www.ground.example.org/r/{workshop.series.results_code}/"
    drawn = segno.make(url, error="m").svg_inline(scale=8)
    assert drawn.split('d="')[1].split('"')[0] in response.content.decode()
    assert f"QR code for the results of {workshop.series.name}" in response.content.decode()


# ---- A closed workshop ---------------------------------------------------------------------


@pytest.mark.parametrize("showing", ["posts", "results", "heard"])
def test_a_closed_workshops_wall_thanks_the_room_whatever_it_showed(
    staff, workshop, findings, showing
):
    """Thank you, where to see what happens next on one line, and a large QR code; the
    posts, results or slide it showed are gone, paused or not."""
    publish_report(workshop.series)
    wall_set_showing(workshop=workshop, showing=showing)
    wall_set_paused(workshop=workshop, paused=True)
    workshop_services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    for html in (wall_page(staff, workshop), wall_page(staff, workshop, htmx=True)):
        assert 'id="wall-closed"' in html and ">Thank you</h2>" in html
        assert "See what happens next at" in html
        assert f'<span class="wall-address">{address(workshop)}</span>' in html
        assert 'width="400" height="400"' in html
        assert reverse("facilitation:results_qr_code", args=[workshop.pk]) in html
        for gone in ("wall-feed", "wall-results", "wall-heard", "wall-waiting"):
            assert f'id="{gone}"' not in html


def test_a_closed_wall_shows_the_address_before_anything_is_published(staff, workshop):
    """The public page says results will come, so the wall points to it all the same."""
    workshop_services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    assert f'<span class="wall-address">{address(workshop)}</span>' in wall_page(staff, workshop)


def test_reopening_brings_the_wall_back(staff, workshop):
    """Reopened, the wall shows posts again and the thanks are gone."""
    workshop_services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    workshop_services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
    html = wall_page(staff, workshop, htmx=True)
    assert 'id="wall-closed"' not in html and 'id="wall-feed"' in html


def test_the_console_says_what_a_closed_workshops_wall_shows(staff, workshop):
    """The facilitator reads what the room sees, whatever was chosen before closing."""
    workshop_services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    said = "the wall shows <strong>thank you, and where to see what happens next"
    assert said in console_page(staff, workshop)


# ---- Live: the wall's socket ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_closing_the_workshop_redraws_the_wall_with_the_thanks(site, facilitator, client):
    """The wall hears of the closing at once and fetches its live region: the thanks."""
    workshop = make_workshop()
    screen = wall(workshop, facilitator)
    client.force_login(facilitator)

    async def scenario():
        assert (await screen.connect())[0]
        await sync_to_async(workshop_services.workshop_set_status)(
            workshop=workshop, status=Workshop.Status.CLOSED
        )
        assert await events(screen) == [{"op": "resync"}]
        await screen.disconnect()

    async_to_sync(scenario)()
    assert 'id="wall-closed"' in wall_page(client, workshop, htmx=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_what_the_public_page_shows_changing_redraws_every_wall_of_the_series(site, facilitator):
    """A report published, then a response recorded: each time, every wall of the series
    fetches its live region afresh."""
    first = make_workshop()
    second = make_workshop(series=first.series)
    screens = [wall(workshop, facilitator) for workshop in (first, second)]

    def response_recorded():
        with transaction.atomic():
            announce_results_changed(first.series, "A response was added.")

    async def scenario():
        for screen in screens:
            assert (await screen.connect())[0]
        for change in (lambda: publish_report(first.series), response_recorded):
            await sync_to_async(change)()
            for screen in screens:
                assert await events(screen) == [{"op": "resync"}]
        for screen in screens:
            await screen.disconnect()

    async_to_sync(scenario)()
