from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from participants import ratelimit
from participants.models import Contribution, Participant, Vote


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
        display_name=display_name.strip(),
        table_number=table_number,
        consented_at=timezone.now(),
    )
    participant.full_clean()
    participant.save()
    return participant


def clean_contribution_text(text):
    """The text as it will be stored, or a ValidationError that says what to change."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Please write something before you send it."})
    if "\x00" in text:
        raise ValidationError({"text": "Your text has a character we cannot store."})
    limit = settings.CONTRIBUTION_MAX_LENGTH
    if len(text) > limit:
        raise ValidationError(
            {"text": f"Please keep it to {limit:,} characters or fewer (you have {len(text):,})."}
        )
    return text


def check_prompt_accepts(*, participant, prompt):
    if prompt.workshop_id != participant.workshop_id:
        raise ValidationError({"prompt": "That question is not part of your workshop."})
    if not prompt.accepts_contributions():
        raise ValidationError({"prompt": "This question is closed, so it cannot take new posts."})


def contribution_create(*, participant, prompt, text, client_id):
    """Save a contribution once: a retry with the same client id returns the first one.

    Returns (contribution, created).
    """
    existing = Contribution.objects.filter(participant=participant, client_id=client_id).first()
    if existing:
        return existing, False
    text = clean_contribution_text(text)
    check_prompt_accepts(participant=participant, prompt=prompt)
    ratelimit.check(
        f"contribute:{participant.pk}",
        limit=settings.CONTRIBUTIONS_PER_MINUTE,
        message="You have posted a lot in the last minute. Please wait a moment, then try again.",
    )
    contribution = Contribution(
        workshop_id=participant.workshop_id,
        participant=participant,
        prompt=prompt,
        text=text,
        client_id=client_id,
    )
    try:
        with transaction.atomic():
            contribution.save()
    except IntegrityError:
        # Two sends of the same post raced; the first one saved is the post.
        return Contribution.objects.get(participant=participant, client_id=client_id), False
    return contribution, True


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
    vote, _ = Vote.objects.update_or_create(
        participant=participant, contribution=contribution, defaults={"choice": choice}
    )
    return vote


def contribution_set_state(*, contribution, state):
    if state not in Contribution.State.values:
        raise ValidationError("Unknown moderation state.")
    contribution.state = state
    contribution.save(update_fields=["state"])
    return contribution
