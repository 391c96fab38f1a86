"""What the participants app announces, after commit. Each event carries `workshop_id`.

Subscribers connect in their AppConfig.ready(); see docs/ARCHITECTURE.md. The votes'
events at the end are the exception: they are sent at once, inside the transaction.
"""

from django.dispatch import Signal

from workshops.signals import workshop_status_changed, workshop_updated

# Someone joined the workshop on their phone: `participant_id`.
participant_joined = Signal()
# A post was saved for the first time (shown, or held for approval): `contribution`.
contribution_created = Signal()
# Its words changed for those who read it: a facilitator edited it, or released the words
# masked as personal data: `contribution`.
contribution_edited = Signal()
# A facilitator approved, hid, showed again or held it, or its author undid withdrawing it
# (`before` is "withdrawn"): `contribution`, `before` (a state).
contribution_moderated = Signal()
# A duplicate was folded into another post, votes and all: `contribution`, `into`.
contribution_merged = Signal()
# Its author took it back: no one sees it now, and the row and its votes are deleted
# 10 s later unless they undo it (contribution_moderated then): `contribution_id`.
contribution_withdrawn = Signal()
# Votes on these posts changed: `contribution_ids`.
votes_changed = Signal()
# A facilitator erased a participant with their posts and votes: `participant_id`.
participant_erased = Signal()
# A closed workshop's participant-level data was deleted, leaving counts only.
workshop_purged = Signal()

# Sent at once, inside the transaction that wrote the votes, for records that must never
# disagree with them (the tallies): a receiver's error undoes the votes too.
# One person's vote was cast or changed: `contribution_id`, `group_id` (the voter's),
# `before` (the choice it replaced, None for a first vote), `after`.
vote_recorded = Signal()
# Votes on these posts were written in bulk (merged, erased, loaded): `contribution_ids`.
votes_rewritten = Signal()
SENT_IN_TRANSACTION = (vote_recorded, votes_rewritten)

# After these, a post's copy on every screen is redrawn as the post now is.
POST_CHANGED = (contribution_created, contribution_edited, contribution_moderated)
# After these, every page of the workshop fetches its live region afresh: too much changed
# (people and their posts gone, questions opened or closed) to patch it.
WORKSHOP_CHANGED = (
    participant_erased,
    workshop_purged,
    workshop_status_changed,
    workshop_updated,
)
