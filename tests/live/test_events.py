"""Events are delivered after commit; a failing subscriber is logged and stops no other."""

import logging

import pytest
from django.dispatch import Signal

from live.events import announce

pytestmark = pytest.mark.django_db


def test_a_failing_subscriber_is_logged_and_the_others_still_hear_the_event(committed, caplog):
    happened = Signal()
    heard = []

    def breaks(sender, **event):
        raise RuntimeError("subscriber broke")

    def listens(sender, **event):
        heard.append(event["workshop_id"])

    happened.connect(breaks)
    happened.connect(listens)
    with caplog.at_level(logging.ERROR, logger="live.events"), committed():
        announce(happened, object, workshop_id=7)
        assert heard == []
    assert heard == [7]
    assert "could not handle" in caplog.text and "subscriber broke" in caplog.text
