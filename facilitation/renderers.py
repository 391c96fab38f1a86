"""What consoles and the wall see change: their live operations and vote tallies.

Each fragment is rendered once per audience from the same templates the pages use.
"""

from asgiref.sync import async_to_sync, sync_to_async
from django.template.loader import render_to_string

from facilitation import selectors
from live import broadcast
from live.broadcast import Coalescer, resync
from participants.models import Contribution
from workshops.models import Workshop

FACILITATORS = "facilitators"
WALL = "wall"

# Tallies reach consoles and the wall at most twice a second per workshop.
TALLY_INTERVAL = 0.5


def console_fragment(contribution):
    return render_to_string(
        "facilitation/_console_contribution.html",
        {"contribution": contribution, "workshop": contribution.workshop},
    )


def wall_fragment(contribution):
    return render_to_string("facilitation/_wall_contribution.html", {"contribution": contribution})


def wall_results(workshop, display):
    """The wall's results as they stand now, to replace the ones it shows."""
    context = {
        "display": display,
        "results": selectors.wall_results(workshop, display.prompt),
    }
    html = render_to_string("facilitation/_wall_results.html", context)
    return {"op": "replace", "id": "wall-results", "html": html}


def _wall_waiting(workshop, display):
    context = {"display": display, "waiting": selectors.posts_waiting(workshop, display)}
    html = render_to_string("facilitation/_wall_waiting.html", context)
    return {"op": "replace", "id": "wall-waiting", "html": html}


def _wall_operations(contribution, display):
    """What the wall does with a post as it now is, given what the console has it show."""
    if display.shows_heard:
        # The slide shows the published report, which no post changes.
        return []
    if display.shows_results:
        # A post without votes (a new one, say) is in no results, shown or hidden; a change
        # to one with votes (hidden, edited, merged) may move them.
        return [wall_results(contribution.workshop, display)] if contribution.total.total else []
    wall_id = f"wall-contribution-{contribution.pk}"
    if contribution.state != Contribution.State.VISIBLE or not contribution.prompt.is_open:
        # Hidden or answered a closed question: it leaves the wall, paused or not.
        return [{"op": "remove", "id": wall_id}]
    html = wall_fragment(contribution)
    if display.paused:
        # Words already shown are corrected in place; a new post only adds to the count.
        return [
            {"op": "replace", "id": wall_id, "html": html},
            _wall_waiting(contribution.workshop, display),
        ]
    return [
        {"op": "upsert", "id": wall_id, "into": f"wall-feed-{contribution.prompt_id}", "html": html}
    ]


def _operations(contribution, display):
    """Operations that bring consoles and the wall in line with this post's current state."""
    wall = _wall_operations(contribution, display)
    if selectors.is_spotlit(contribution):
        # The spotlight stands outside the wall's feed: redraw the wall when it changes.
        wall.append(broadcast.RESYNC)
    pending = contribution.state == Contribution.State.PENDING
    # One upsert: the console moves it between its queue and its feed, focus and all.
    console = {
        "op": "upsert",
        "id": f"console-contribution-{contribution.pk}",
        "into": "console-queue" if pending else "console-feed",
        "html": console_fragment(contribution),
    }
    return {FACILITATORS: [console], WALL: wall}


def _merged(*operations):
    return {
        audience: [op for ops in operations for op in ops[audience]]
        for audience in (FACILITATORS, WALL)
    }


def contribution_changed(*, contribution, **event):
    display = selectors.wall_display(contribution.workshop_id)
    return _operations(selectors.console_contribution(contribution.pk), display)


def contribution_merged(*, contribution, into, **event):
    display = selectors.wall_display(contribution.workshop_id)
    posts = {c.pk: c for c in selectors.console_contributions_by_id([contribution.pk, into.pk])}
    return _merged(
        _operations(posts[contribution.pk], display), _operations(posts[into.pk], display)
    )


def contribution_withdrawn(*, contribution_id, **event):
    """A deleted post leaves every page it was on. Its spotlight went with it (the row is
    deleted with the post), so the wall redraws in case the projector showed it."""
    return {
        WALL: [{"op": "remove", "id": f"wall-contribution-{contribution_id}"}, broadcast.RESYNC],
        FACILITATORS: [{"op": "remove", "id": f"console-contribution-{contribution_id}"}],
    }


def people_joined(*, workshop_id, **event):
    """Consoles count the people who joined, and warn of a spike."""
    workshop = Workshop.objects.get(pk=workshop_id)
    html = render_to_string(
        "facilitation/_console_people.html", {"people": selectors.people_joined(workshop)}
    )
    return {FACILITATORS: [{"op": "replace", "id": "console-people", "html": html}]}


def staff_pages_resync(**event):
    return resync(FACILITATORS, WALL)


def results_changed(sender, *, series, **event):
    """A report was published or a response changed: the walls of the series redraw what we
    heard, and their consoles offer the slide once there is a report to show."""
    for workshop_id in series.workshops.values_list("pk", flat=True):
        broadcast.send_now(workshop_id, staff_pages_resync)


def _wall_tallies(contributions, display):
    """New counts for the posts a live wall shows, or its results afresh; nothing while
    paused, so a paused wall holds still, nor to the slide of the published report."""
    if display.paused or display.shows_heard:
        return []
    if display.shows_results:
        return [wall_results(contributions[0].workshop, display)]
    return [
        {
            "op": "replace",
            "id": f"wall-tally-{c.pk}",
            "html": render_to_string("facilitation/_wall_tally.html", {"contribution": c}),
        }
        for c in contributions
        if c.state == Contribution.State.VISIBLE
    ]


def tally_events(contribution_ids):
    """New counts and suggested classes for consoles; new counts or results for the wall."""
    contributions = selectors.console_contributions_by_id(contribution_ids)
    if not contributions:
        return {}
    display = selectors.wall_display(contributions[0].workshop_id)
    return {
        FACILITATORS: [
            {
                "op": "replace",
                "id": f"tallies-{c.pk}",
                "html": render_to_string("facilitation/_console_tallies.html", {"contribution": c}),
            }
            for c in contributions
        ],
        WALL: _wall_tallies(contributions, display),
    }


async def _flush_tallies(workshop_id, contribution_ids):
    events = await sync_to_async(tally_events)(contribution_ids)
    await broadcast.send(workshop_id, events)


tally_coalescer = Coalescer(_flush_tallies, TALLY_INTERVAL)


def votes_changed(sender, *, workshop_id, contribution_ids, **event):
    """Votes do not go out one by one: gather them per workshop, at most twice a second."""
    for contribution_id in contribution_ids:
        async_to_sync(tally_coalescer.add)(workshop_id, contribution_id)
