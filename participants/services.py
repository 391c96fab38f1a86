from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import audit
from live.events import announce
from participants import ratelimit, selectors, signals, tasks
from participants.models import WITHDRAWAL_UNDO_SECONDS, Contribution, Participant, Vote
from participants.privacy import mask_personal_data
from participants.text import tidy_text


def _announce(signal, contribution, **event):
    announce(
        signal,
        Contribution,
        workshop_id=contribution.workshop_id,
        contribution=contribution,
        **event,
    )


def participant_join(*, workshop, group, display_name="", table_number=None, consent=False):
    if not workshop.is_live:
        raise ValidationError("This workshop is not open for joining right now.")
    if not consent:
        raise ValidationError(
            {"consent": "Please say you are happy with how we use what you write."}
        )
    participant = Participant(
        workshop=workshop,
        group=group,
        display_name=tidy_text(display_name),
        table_number=table_number,
        consented_at=timezone.now(),
    )
    participant.full_clean()
    participant.save()
    announce(
        signals.participant_joined,
        Participant,
        workshop_id=workshop.pk,
        participant_id=participant.pk,
    )
    return participant


def clean_contribution_text(text):
    """The text as it will be stored, or a ValidationError that says what to change."""
    text = tidy_text(text)
    if not text:
        raise ValidationError({"text": "Please write something before you send it."})
    if "\x00" in text or not _encodable(text):
        raise ValidationError({"text": "Your text has a character we cannot store."})
    limit = settings.CONTRIBUTION_MAX_LENGTH
    if len(text) > limit:
        raise ValidationError(
            {"text": f"Please keep it to {limit:,} characters or fewer (you have {len(text):,})."}
        )
    return text


def _encodable(text):
    # A lone surrogate can arrive escaped in JSON; no database can store it.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _set_text(contribution, text):
    """Store the words and their masked copy; new words need a fresh look before release."""
    masked = mask_personal_data(text)
    contribution.text = text
    contribution.masked_text = masked.text if masked.kinds else ""
    contribution.personal_data = list(masked.kinds)
    contribution.personal_data_released = False


def check_prompt_open(prompt):
    if not prompt.accepts_contributions():
        raise ValidationError("This question is closed, so it cannot take new posts.")


def check_prompt_accepts(*, participant, prompt):
    if prompt.workshop_id != participant.workshop_id:
        raise ValidationError("That question is not part of your workshop.")
    check_prompt_open(prompt)


def contribution_create(*, participant, prompt, text, client_id, entered_by=None):
    """Save a contribution once: a retry with the same client id returns the first one.

    Returns (contribution, created). Everyone sees it after commit, or only the facilitators
    while the workshop holds posts for approval. Posts a facilitator enters (`entered_by`)
    are neither held nor rate-limited: they are already moderated, and cards come in piles.
    """
    # A withdrawn post keeps its client id until it is deleted: a retry is still that post.
    sent = Contribution.with_withdrawn.filter(participant=participant, client_id=client_id)
    existing = sent.first()
    if existing:
        return existing, False
    text = clean_contribution_text(text)
    check_prompt_accepts(participant=participant, prompt=prompt)
    if entered_by is None:
        ratelimit.check(
            f"contribute:{participant.pk}",
            limit=settings.CONTRIBUTIONS_PER_MINUTE,
            message="You have posted a lot in the last minute. Please wait a moment, "
            "then try again.",
        )
    held = prompt.workshop.premoderation and entered_by is None
    contribution = Contribution(
        workshop=prompt.workshop,
        participant=participant,
        prompt=prompt,
        client_id=client_id,
        entered_by=entered_by,
        state=Contribution.State.PENDING if held else Contribution.State.VISIBLE,
    )
    _set_text(contribution, text)
    try:
        with transaction.atomic():
            contribution.save()
            _announce(signals.contribution_created, contribution)
    except IntegrityError:
        # Two sends of the same post raced; the first one saved is the post.
        return sent.get(), False
    return contribution, True


@transaction.atomic
def contribution_create_for_group(*, prompt, group, text, client_id, entered_by):
    """A facilitator types in a contribution for a group (paper cards, no phone).

    It is posted by the workshop's scribe participant for that group, so it is counted,
    voted on and reported like any other, and marked as entered by the facilitator.
    """
    scribe = Participant.objects.filter(
        workshop=prompt.workshop, group=group, is_scribe=True
    ).first()
    saved = scribe and scribe.contributions.filter(client_id=client_id).first()
    if saved:
        return saved
    # Checked before the scribe is created, so a refusal leaves nothing behind.
    clean_contribution_text(text)
    check_prompt_open(prompt)
    scribe, _ = Participant.objects.get_or_create(
        workshop=prompt.workshop,
        group=group,
        is_scribe=True,
        defaults={"consented_at": timezone.now(), "display_name": "Entered by facilitator"},
    )
    contribution, _ = contribution_create(
        participant=scribe, prompt=prompt, text=text, client_id=client_id, entered_by=entered_by
    )
    return contribution


def vote_cast(*, participant, contribution, choice):
    if choice not in Vote.Choice.values:
        raise ValidationError("Please choose agree, disagree or pass.")
    if contribution.workshop_id != participant.workshop_id:
        raise ValidationError("You can only vote on posts in your own workshop.")
    if contribution.participant_id == participant.pk:
        raise ValidationError("You cannot vote on your own post.")
    if contribution.state != Contribution.State.VISIBLE:
        raise ValidationError("This post is no longer shown, so it cannot take votes.")
    if not participant.workshop.is_live:
        raise ValidationError("Voting has closed for this workshop.")
    ratelimit.check(
        f"vote:{participant.pk}",
        limit=settings.VOTES_PER_MINUTE,
        message="You have voted a lot in the last minute. Please wait a moment, then try again.",
    )
    with transaction.atomic():
        vote, before = _vote_saved(participant, contribution, choice)
        signals.vote_recorded.send(
            Vote,
            workshop_id=contribution.workshop_id,
            contribution_id=contribution.pk,
            group_id=participant.group_id,
            before=before,
            after=choice,
        )
        announce(
            signals.votes_changed,
            Vote,
            workshop_id=contribution.workshop_id,
            contribution_ids=[contribution.pk],
        )
    return vote


def _vote_saved(participant, contribution, choice):
    """Save someone's vote; returns it and the choice it replaced (None for a first vote).

    Their vote is locked while it changes, so two sent at the same moment are recorded one
    after the other, each knowing the choice the other left.
    """
    votes = Vote.objects.select_for_update().filter(
        participant=participant, contribution=contribution
    )
    vote = votes.first()
    if vote is None:
        try:
            with transaction.atomic():
                created = Vote.objects.create(
                    participant=participant, contribution=contribution, choice=choice
                )
            return created, None
        except IntegrityError:
            vote = votes.get()  # their first vote, sent twice at once: the other one saved it
    before = vote.choice
    vote.choice = choice
    vote.save(update_fields=["choice", "updated"])
    return vote, before


MODERATION_STATES = (
    Contribution.State.VISIBLE,
    Contribution.State.HIDDEN,
    Contribution.State.PENDING,
)


def contribution_set_state(*, contribution, state, by=None):
    """Approve, hide or show again. Merging has its own service."""
    if state not in MODERATION_STATES:
        raise ValidationError("Please choose show, hide or hold for approval.")
    if contribution.state == Contribution.State.MERGED:
        raise ValidationError("This post was merged into another; change that one instead.")
    before = contribution.state
    contribution.state = state
    contribution.save(update_fields=["state"])
    audit.record("moderate", contribution, actor=by, before=before, after=state)
    _announce(signals.contribution_moderated, contribution, before=before)
    return contribution


def contribution_edit(*, contribution, text, by=None):
    """Fix a typo; the participant's own words are kept the first time it is edited."""
    text = clean_contribution_text(text)
    if text == contribution.text:
        return contribution
    if not contribution.original_text:
        contribution.original_text = contribution.text
    _set_text(contribution, text)
    contribution.edited_at = timezone.now()
    contribution.save(
        update_fields=[
            "text",
            "original_text",
            "edited_at",
            "masked_text",
            "personal_data",
            "personal_data_released",
        ]
    )
    audit.record("edit", contribution, actor=by)
    _announce(signals.contribution_edited, contribution)
    return contribution


@transaction.atomic
def contribution_merge(*, duplicate, into, by=None):
    """Fold a duplicate into another post: its votes join the other's, one per person.

    Where someone voted on both, their latest vote stands. The duplicate is kept, marked as
    merged, so nothing anyone wrote is lost.
    """
    if duplicate.pk == into.pk or duplicate.workshop_id != into.workshop_id:
        raise ValidationError("Choose another post from this workshop to merge into.")
    if Contribution.State.MERGED in (duplicate.state, into.state):
        raise ValidationError("One of these posts has already been merged.")
    for vote in duplicate.votes.select_related("participant"):
        if vote.participant_id == into.participant_id:
            vote.delete()
            continue
        kept = into.votes.filter(participant_id=vote.participant_id).first()
        if kept is None or kept.updated < vote.updated:
            into.votes.filter(participant_id=vote.participant_id).delete()
            vote.contribution = into
            vote.save(update_fields=["contribution"])
        else:
            vote.delete()
    signals.votes_rewritten.send(
        Vote, workshop_id=into.workshop_id, contribution_ids=[duplicate.pk, into.pk]
    )
    duplicate.state = Contribution.State.MERGED
    duplicate.merged_into = into
    duplicate.save(update_fields=["state", "merged_into"])
    audit.record("merge", duplicate, actor=by, into=into.pk)
    _announce(signals.contribution_merged, duplicate, into=into)
    return into


def contribution_release_personal_data(*, contribution, by):
    """The facilitator has read the flagged words and lets everyone see them as written."""
    if not contribution.personal_data:
        raise ValidationError("Nothing in this post was hidden.")
    contribution.personal_data_released = True
    contribution.save(update_fields=["personal_data_released"])
    audit.record("release_personal_data", contribution, actor=by, kinds=contribution.personal_data)
    _announce(signals.contribution_edited, contribution)
    return contribution


@transaction.atomic
def contribution_withdraw(*, participant, contribution):
    """A participant takes back their own post: it leaves every screen at once, and is
    deleted, with its votes, WITHDRAWAL_UNDO_SECONDS later unless they undo it first."""
    if contribution.participant_id != participant.pk:
        raise ValidationError("You can only withdraw your own posts.")
    if not participant.workshop.is_live:
        raise ValidationError("This workshop has finished. Ask the organisers to remove it.")
    audit.record("withdraw", contribution, workshop_id=contribution.workshop_id)
    contribution.withdrawn_from = contribution.state
    contribution.state = Contribution.State.WITHDRAWN
    contribution.withdrawn_at = timezone.now()
    contribution.save(update_fields=["state", "withdrawn_from", "withdrawn_at"])
    announce(
        signals.contribution_withdrawn,
        Contribution,
        workshop_id=contribution.workshop_id,
        contribution_id=contribution.pk,
    )
    due = (contribution.pk, contribution.withdrawn_at.isoformat())
    transaction.on_commit(
        lambda: tasks.delete_withdrawn_contribution.apply_async(
            due, countdown=WITHDRAWAL_UNDO_SECONDS
        )
    )
    return contribution


@transaction.atomic
def contribution_withdraw_undo(*, participant, contribution_id):
    """Bring back a post its author withdrew in the last WITHDRAWAL_UNDO_SECONDS, votes and
    all, as it was; every screen shows it again."""
    contribution = (
        Contribution.with_withdrawn.select_for_update()
        .filter(pk=contribution_id, participant=participant, state=Contribution.State.WITHDRAWN)
        .first()
    )
    if contribution is None or contribution.withdrawn_at < selectors.withdrawal_undo_deadline():
        raise ValidationError("It is too late to undo that: the post has been deleted.")
    contribution.state = contribution.withdrawn_from or Contribution.State.VISIBLE
    contribution.withdrawn_from = ""
    contribution.withdrawn_at = None
    contribution.save(update_fields=["state", "withdrawn_from", "withdrawn_at"])
    audit.record("withdraw_undo", contribution, workshop_id=contribution.workshop_id)
    _announce(signals.contribution_moderated, contribution, before=Contribution.State.WITHDRAWN)
    return contribution


def withdrawn_contributions_delete(*, contribution_id=None, withdrawn_at=None):
    """Delete the post withdrawn at `withdrawn_at` (unless it was brought back, or withdrawn
    again since), and any other withdrawn post whose undo time is up: one a restarted
    process never got round to is not kept either. Returns how many posts were deleted."""
    withdrawn = Contribution.with_withdrawn.filter(state=Contribution.State.WITHDRAWN)
    due = withdrawn.filter(withdrawn_at__lte=selectors.withdrawal_undo_deadline())
    if contribution_id is not None:
        due = due | withdrawn.filter(pk=contribution_id, withdrawn_at=withdrawn_at)
    deleted, by_model = due.delete()
    return by_model.get(Contribution._meta.label, 0)


def _checkpoint_sqlite_log():
    """Copy SQLite's write-ahead log into the database file and empty it: the pages that
    secure_delete zeroed replace the erased rows there, and no older copy of them stays in
    the -wal file.

    Run on commit, robustly: it cannot run inside a transaction, and once the erasure has
    committed a failed checkpoint is worth a log line, not an error page."""
    # Still inside a transaction only where a test runs on-commit work in its own.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@transaction.atomic
def participant_erase(*, participant, by):
    """Delete everything one participant gave: their posts, their votes, their details."""
    workshop_id = participant.workshop_id
    posts = participant.contributions.count()
    votes = participant.votes.count()
    audit.record("erase_participant", participant, actor=by, contributions=posts, votes=votes)
    participant_id = participant.pk
    # Their votes on others' posts go with them; their own posts take their counts along.
    voted_on = list(
        participant.votes.exclude(contribution__participant=participant).values_list(
            "contribution_id", flat=True
        )
    )
    participant.delete()
    signals.votes_rewritten.send(Vote, workshop_id=workshop_id, contribution_ids=voted_on)
    announce(
        signals.participant_erased,
        Participant,
        workshop_id=workshop_id,
        participant_id=participant_id,
    )
    transaction.on_commit(_checkpoint_sqlite_log, robust=True)


@transaction.atomic
def workshop_participants_purge(*, workshop):
    """Delete every participant of a workshop, with their posts and votes."""
    workshop.participants.all().delete()
    announce(signals.workshop_purged, Participant, workshop_id=workshop.pk)
    transaction.on_commit(_checkpoint_sqlite_log, robust=True)
