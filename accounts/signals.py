"""What the accounts app announces. Sent inside the transaction that made the change, so
what subscribers add is made or undone with it."""

from django.dispatch import Signal

# A new organisation exists: `organisation`. Apps above give it what it starts with.
organisation_created = Signal()
