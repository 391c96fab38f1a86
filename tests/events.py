"""Recording the domain events a service announces: [(signal name, {argument: value})]."""

import contextlib

from django.db import transaction
from django.dispatch import Signal

from participants import signals as participant_signals
from workshops import signals as workshop_signals


def _signals():
    """{"app.name": signal}, each signal under the app that defines it; those sent inside
    a transaction are not announcements."""
    named = {}
    for module in (workshop_signals, participant_signals):
        app = module.__name__.split(".")[0]
        for name, signal in vars(module).items():
            if (
                isinstance(signal, Signal)
                and signal not in named.values()
                and signal not in participant_signals.SENT_IN_TRANSACTION
            ):
                named[f"{app}.{name}"] = signal
    return named


SIGNALS = _signals()


def record_announcements():
    """Start recording every domain event; returns (the record, a function to stop)."""
    sent = []
    receivers = {}
    for name, signal in SIGNALS.items():

        def receiver(sender, signal, name=name, **event):
            sent.append((name, event))

        receivers[name] = receiver
        signal.connect(receiver)

    def stop():
        for name, signal in SIGNALS.items():
            signal.disconnect(receivers[name])

    return sent, stop


class RolledBack(Exception):
    """Raised to roll a block's changes back."""


@contextlib.contextmanager
def rolled_back():
    """Run a block in a transaction that is then rolled back."""
    with contextlib.suppress(RolledBack), transaction.atomic():
        yield
        raise RolledBack
