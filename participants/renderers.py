"""What phones see change: the live operations for the participants' audience.

Each fragment is rendered once for every phone from the same template the feed page uses,
so a contribution looks the same whether it arrived by HTTP or over the socket.
"""

from django.template.loader import render_to_string

from live.broadcast import resync
from participants.models import Contribution

PARTICIPANTS = "participants"


def participant_fragment(contribution, participant=None):
    """The phone feed's <li>; with no participant it is the neutral copy every phone gets."""
    context = {
        "contribution": contribution,
        "participant": participant,
        "workshop": contribution.workshop,
    }
    return render_to_string("participants/_contribution.html", context)


def _phone_operations(contribution):
    phone_id = f"contribution-{contribution.pk}"
    if contribution.state == Contribution.State.VISIBLE:
        return [
            {
                "op": "upsert",
                "id": phone_id,
                "into": f"feed-{contribution.prompt_id}",
                "html": participant_fragment(contribution),
            }
        ]
    # A post waiting for approval stays on its author's phone, marked as waiting.
    keep_mine = contribution.state == Contribution.State.PENDING
    return [{"op": "remove", "id": phone_id, "keep_mine": keep_mine}]


def contribution_changed(*, contribution, **event):
    return {PARTICIPANTS: _phone_operations(contribution)}


def contribution_merged(*, contribution, into, **event):
    return {PARTICIPANTS: _phone_operations(contribution) + _phone_operations(into)}


def contribution_withdrawn(*, contribution_id, **event):
    return {PARTICIPANTS: [{"op": "remove", "id": f"contribution-{contribution_id}"}]}


def phones_resync(**event):
    return resync(PARTICIPANTS)
