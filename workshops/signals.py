"""What the workshops app announces, after commit. Each event carries `workshop_id`.

Subscribers connect in their AppConfig.ready(); see docs/ARCHITECTURE.md.
"""

from django.dispatch import Signal

# The workshop opened (went live), closed, or went back to draft: `workshop`, `before`.
workshop_status_changed = Signal()
# What the room is asked or shown changed: a question opened or closed, its timer, or
# whether posts are held for approval: `workshop`.
workshop_updated = Signal()
