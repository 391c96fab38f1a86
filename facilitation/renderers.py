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


def _operations(contribution):
    """Operations that bring consoles and the wall in line with this post's current state."""
    wall_id = f"wall-contribution-{contribution.pk}"
    wall = (
        [{"op": "upsert", "id": wall_id, "into": "wall-feed", "html": wall_fragment(contribution)}]
        if contribution.state == Contribution.State.VISIBLE
        else [{"op": "remove", "id": wall_id}]
    )
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
    return _operations(selectors.console_contribution(contribution.pk))


def contribution_merged(*, contribution, into, **event):
    posts = {c.pk: c for c in selectors.console_contributions_by_id([contribution.pk, into.pk])}
    return _merged(_operations(posts[contribution.pk]), _operations(posts[into.pk]))


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


def tally_events(contribution_ids):
    """New counts and suggested classes for consoles, new counts for the wall."""
    contributions = selectors.console_contributions_by_id(contribution_ids)
    return {
        FACILITATORS: [
            {
                "op": "replace",
                "id": f"tallies-{c.pk}",
                "html": render_to_string("facilitation/_console_tallies.html", {"contribution": c}),
            }
            for c in contributions
        ],
        WALL: [
            {
                "op": "replace",
                "id": f"wall-tally-{c.pk}",
                "html": render_to_string("facilitation/_wall_tally.html", {"contribution": c}),
            }
            for c in contributions
            if c.state == Contribution.State.VISIBLE
        ],
    }


async def _flush_tallies(workshop_id, contribution_ids):
    events = await sync_to_async(tally_events)(contribution_ids)
    await broadcast.send(workshop_id, events)


tally_coalescer = Coalescer(_flush_tallies, TALLY_INTERVAL)


def votes_changed(sender, *, workshop_id, contribution_ids, **event):
    """Votes do not go out one by one: gather them per workshop, at most twice a second."""
    for contribution_id in contribution_ids:
        async_to_sync(tally_coalescer.add)(workshop_id, contribution_id)
