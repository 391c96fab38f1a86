"""What phones see change: the live operations for the participants' audience.

Each fragment is rendered once for every phone from the same template the feed page uses,
so a contribution looks the same whether it arrived by HTTP or over the socket.

Easy Read is a choice of each phone, and one audience holds phones of both kinds. Rather than
an audience per mode (every post rendered and sent twice), a post's fragment carries the words
of both (its vote buttons' symbols, "Pass" and "Not sure") and the page's body class shows one
(static/css/app.css). A question's Easy Read words reach phones over HTTP only (the page, a
re-sync), where the phone's own cookie chooses them.
"""

from django.template.loader import render_to_string

from live.broadcast import hang_up, resync
from participants import selectors
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


def withdrawn_notice(contribution):
    """'Post withdrawn', with the button that brings it back while there is time."""
    context = {"contribution": contribution, "workshop": contribution.workshop}
    return render_to_string("participants/_withdrawn.html", context)


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


def phones_read_only(*, workshop, **event):
    """A workshop no longer live takes no posts or votes: every phone's feed becomes the
    read-only notice at once, without waiting for its re-sync to fetch it."""
    if workshop.is_live:
        return {}
    # No questions: nothing in the notice differs between phones, so it is rendered once.
    context = {
        "workshop": workshop,
        "prompts": [],
        "results_address": selectors.results_address(workshop),
    }
    html = render_to_string("participants/_feed_live.html", context)
    return {PARTICIPANTS: [{"op": "replace", "id": "phone-feed", "html": html}]}


def erased_phones_hang_up(sender, *, workshop_id, participant_id, **event):
    """An erased participant's open phones are closed with 4403, as a phone that never joined
    is: nothing they send could be saved now."""
    hang_up(workshop_id, PARTICIPANTS, participant_id)
