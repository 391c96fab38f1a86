from functools import partial

from django.core.exceptions import ValidationError

from facilitation.models import Spotlight
from facilitation.renderers import FACILITATORS, WALL
from live.broadcast import publish, resync
from participants.models import Contribution


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
    # Phones never show the spotlight: only the console and the wall redraw.
    publish(workshop.pk, partial(resync, FACILITATORS, WALL))
    return workshop
