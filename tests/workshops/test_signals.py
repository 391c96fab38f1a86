"""The workshops app announces status changes and what the room is shown, after commit."""

import pytest
from django.core.exceptions import ValidationError

from tests.events import rolled_back
from workshops import services
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def test_closing_a_workshop_is_announced_once_with_its_status_before(
    workshop, announced, committed
):
    with committed():
        services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
        assert announced == []
    assert announced == [
        (
            "workshops.workshop_status_changed",
            {"workshop_id": workshop.pk, "workshop": workshop, "before": "live"},
        )
    ]


@pytest.mark.parametrize("change", ["premoderation", "open", "close", "timer"])
def test_what_the_room_is_shown_is_announced_once(workshop, change, announced, committed):
    """Premoderation, opening or closing a question and its timer: one workshop_updated."""
    prompt = workshop.prompts.get(is_open=True)
    with committed():
        if change == "premoderation":
            services.workshop_set_premoderation(workshop=workshop, premoderation=False)
        elif change == "timer":
            services.prompt_set_timer(prompt=prompt, minutes=5)
        else:
            services.prompt_set_open(prompt=prompt, is_open=change == "open")
    assert announced == [
        ("workshops.workshop_updated", {"workshop_id": workshop.pk, "workshop": workshop})
    ]


def test_nothing_is_announced_for_a_rolled_back_or_refused_change(workshop, announced, committed):
    prompt = workshop.prompts.get(is_open=True)
    with committed():
        with rolled_back():
            services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
        with pytest.raises(ValidationError):
            services.workshop_set_status(workshop=workshop, status="paused")
        with pytest.raises(ValidationError):
            services.prompt_set_timer(prompt=prompt, minutes=-1)
    assert announced == []
