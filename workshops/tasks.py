from celery import shared_task
from django.conf import settings
from django.core.management import call_command


@shared_task
def purge_closed_workshops():
    """The daily retention job: the same as `manage.py purge_closed_workshops`."""
    call_command("purge_closed_workshops", "--older-than", str(settings.RETENTION_DAYS))
