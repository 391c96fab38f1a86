"""What each audience sees change when a contribution or its votes change.

Each fragment is rendered once per audience from the same templates the pages use, so a
contribution looks the same whether it arrived by HTTP or over the socket.
"""

from functools import partial

from asgiref.sync import async_to_sync, sync_to_async
from django.template.loader import render_to_string

from participants.models import Contribution
from workshops import realtime
from workshops.realtime import FACILITATORS, PARTICIPANTS, WALL
from workshops.selectors import console_contribution, console_contributions_by_id

VISIBLE = Contribution.State.VISIBLE
PENDING = Contribution.State.PENDING

# Tallies reach consoles and the wall at most twice a second per workshop.
TALLY_INTERVAL = 0.5


def participant_fragment(contribution, participant=None):
    """The phone feed's <li>; with no participant it is the neutral copy every phone gets."""
    context = {
        "contribution": contribution,
        "participant": participant,
        "workshop": contribution.workshop,
    }
    return render_to_string("participants/_contribution.html", context)


def console_fragment(contribution):
    return render_to_string(
        "workshops/_console_contribution.html",
        {"contribution": contribution, "workshop": contribution.workshop},
    )


def wall_fragment(contribution):
    return render_to_string("workshops/_wall_contribution.html", {"contribution": contribution})


def contribution_events(contribution):
    """Operations that bring every audience in line with this contribution's current state."""
    contribution = console_contribution(contribution.pk)
    shown = contribution.state == VISIBLE
    console_into = "console-queue" if contribution.state == PENDING else "console-feed"
    phone_id, wall_id = f"contribution-{contribution.pk}", f"wall-contribution-{contribution.pk}"
    console_id = f"console-contribution-{contribution.pk}"
    return {
        PARTICIPANTS: [
            {
                "op": "upsert",
                "id": phone_id,
                "into": f"feed-{contribution.prompt_id}",
                "html": participant_fragment(contribution),
            }
            if shown
            # A post waiting for approval stays on its author's phone, marked as waiting.
            else {"op": "remove", "id": phone_id, "keep_mine": contribution.state == PENDING}
        ],
        WALL: [
            {
                "op": "upsert",
                "id": wall_id,
                "into": "wall-feed",
                "html": wall_fragment(contribution),
            }
            if shown
            else {"op": "remove", "id": wall_id}
        ]
        # The spotlight stands outside the wall's feed: redraw the wall when it changes.
        + ([{"op": "resync"}] if contribution.workshop.spotlight_id == contribution.pk else []),
        # One upsert: the console moves it between its queue and its feed, focus and all.
        FACILITATORS: [
            {
                "op": "upsert",
                "id": console_id,
                "into": console_into,
                "html": console_fragment(contribution),
            },
        ],
    }


def contribution_changed(contribution):
    realtime.publish(contribution.workshop_id, partial(contribution_events, contribution))


def contribution_removed(workshop_id, contribution_id):
    """A deleted post leaves every page it was on."""
    realtime.publish(
        workshop_id,
        lambda: {
            PARTICIPANTS: [{"op": "remove", "id": f"contribution-{contribution_id}"}],
            WALL: [{"op": "remove", "id": f"wall-contribution-{contribution_id}"}],
            FACILITATORS: [{"op": "remove", "id": f"console-contribution-{contribution_id}"}],
        },
    )


def tally_events(contribution_ids):
    """New counts and suggested classes for consoles, new counts for the wall."""
    contributions = console_contributions_by_id(contribution_ids)
    return {
        FACILITATORS: [
            {
                "op": "replace",
                "id": f"tallies-{c.pk}",
                "html": render_to_string("workshops/_console_tallies.html", {"contribution": c}),
            }
            for c in contributions
        ],
        WALL: [
            {
                "op": "replace",
                "id": f"wall-tally-{c.pk}",
                "html": render_to_string("workshops/_wall_tally.html", {"contribution": c}),
            }
            for c in contributions
            if c.state == VISIBLE
        ],
    }


async def _flush_tallies(workshop_id, contribution_ids):
    events = await sync_to_async(tally_events)(contribution_ids)
    await realtime.send(workshop_id, events)


tally_coalescer = realtime.Coalescer(_flush_tallies, TALLY_INTERVAL)


def votes_changed(workshop_id, contribution_id):
    async_to_sync(tally_coalescer.add)(workshop_id, contribution_id)
