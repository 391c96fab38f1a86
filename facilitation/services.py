from functools import partial

from django.core.exceptions import ValidationError
from django.utils import timezone

from facilitation.models import Spotlight, WallDisplay
from facilitation.renderers import FACILITATORS, WALL
from live.broadcast import publish, resync
from participants.models import Contribution
from synthesis.publication import published_version


def workshop_spotlight(*, workshop, contribution):
    """Show one visible contribution large on the wall; None clears the spotlight."""
    if contribution is not None and (
        contribution.workshop_id != workshop.pk or contribution.state != Contribution.State.VISIBLE
    ):
        raise ValidationError("Only a visible post from this workshop can be put on the wall.")
    if contribution is None:
        Spotlight.objects.filter(workshop=workshop).delete()
    else:
        Spotlight.objects.update_or_create(
            workshop=workshop, defaults={"contribution": contribution}
        )
    _wall_changed(workshop)
    return workshop


def _wall_changed(workshop):
    # The console says what the wall shows, so both redraw; phones never see the wall.
    publish(workshop.pk, partial(resync, FACILITATORS, WALL))


def wall_set_paused(*, workshop, paused):
    """Hold the wall still (it keeps what it shows and counts the posts that wait), or let
    it catch up. Pausing a paused wall keeps the moment it was first paused."""
    display, _ = WallDisplay.objects.get_or_create(workshop=workshop)
    if paused == display.paused:
        return display
    display.paused_at = timezone.now() if paused else None
    display.save(update_fields=["paused_at"])
    _wall_changed(workshop)
    return display


CHOOSE_WHAT_TO_SHOW = "Please choose what the wall shows: posts, results, or what we heard."


def wall_set_showing(*, workshop, showing, prompt=None):
    """Show posts as they come, results for one question (or the whole workshop), or what
    we heard and what happened (once the series has a published report)."""
    if showing not in WallDisplay.Showing.values:
        raise ValidationError(CHOOSE_WHAT_TO_SHOW)
    if showing == WallDisplay.Showing.HEARD and published_version(workshop.series) is None:
        raise ValidationError(
            "There is no published report for this series yet. "
            "Publish a final report to show what we heard, and what happened."
        )
    if prompt is not None and prompt.workshop_id != workshop.pk:
        raise ValidationError("That question is not in this workshop.")
    display, _ = WallDisplay.objects.get_or_create(workshop=workshop)
    display.showing = showing
    display.prompt = prompt
    display.save(update_fields=["showing", "prompt"])
    _wall_changed(workshop)
    return display
