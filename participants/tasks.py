from celery import shared_task
from django.utils.dateparse import parse_datetime

from participants import services


@shared_task
def delete_withdrawn_contribution(contribution_id, withdrawn_at):
    """Delete a withdrawn post once its undo time is up; `withdrawn_at` (ISO 8601) names
    the withdrawal, so a post brought back and withdrawn again waits for its own time."""
    services.withdrawn_contributions_delete(
        contribution_id=contribution_id, withdrawn_at=parse_datetime(withdrawn_at)
    )


@shared_task
def delete_withdrawn_contributions():
    """Delete every withdrawn post whose undo time is up: the sweep for any whose own
    deletion was lost with a stopped worker."""
    services.withdrawn_contributions_delete()
