"""Domain events after commit, and the renderers that turn them into live updates.

A lower app announces what changed (a Django signal in its own `signals.py`); the apps that
own a screen register, per event, a renderer returning {audience: [operation, ...]}. Every
renderer of an event contributes to one update, sent once per audience, so a new screen is
a new renderer and the app that announced the event never learns of it.
"""

import logging
from functools import partial

from django.db import transaction

from live import broadcast

logger = logging.getLogger(__name__)

_renderers = {}


def announce(signal, sender, **event):
    """Send `signal` once the current transaction commits: never for a rolled-back change."""
    transaction.on_commit(partial(_deliver, signal, sender, event))


def _deliver(signal, sender, event):
    # The change has committed: a failing subscriber is logged, never turned into an error
    # for the person whose change it was, and never keeps the others from the event.
    for receiver, result in signal.send_robust(sender, **event):
        if isinstance(result, Exception):
            name = getattr(receiver, "__qualname__", repr(receiver))
            logger.error("%s could not handle %s", name, sender, exc_info=result)


def render_on(signals, renderer):
    """Whenever one of `signals` is sent, add what `renderer(**event)` returns to the update.

    Events carry `workshop_id`; renderers run after commit, so they show the committed state.
    """
    for signal in signals:
        renderers = _renderers.setdefault(signal, [])
        if renderer not in renderers:
            renderers.append(renderer)
        signal.connect(_relay)


def _relay(sender, signal, workshop_id, **event):
    renderers = list(_renderers.get(signal, ()))
    broadcast.send_now(workshop_id, partial(_merged, renderers, workshop_id, event))


def _merged(renderers, workshop_id, event):
    events = {}
    for renderer in renderers:
        for audience, operations in renderer(workshop_id=workshop_id, **event).items():
            events.setdefault(audience, []).extend(operations)
    return events
