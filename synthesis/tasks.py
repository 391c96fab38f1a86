import logging

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django.utils.text import slugify

from participants.models import Contribution
from synthesis import vectors
from synthesis.exports import render_export
from synthesis.models import ReportExport, ReportVersion
from synthesis.notices import (
    results_confirmation_send,
    results_news_send_due,
    results_notices_send,
)
from synthesis.versions import report_version_make

logger = logging.getLogger(__name__)
Status = ReportExport.Status


@shared_task(acks_late=True)
def build_export(export_id):
    """Build one export; a failure is recorded on it (with its reason) for a retry."""
    export = ReportExport.objects.select_related("series", "workshop").filter(pk=export_id).first()
    if export is None or export.status == Status.DONE:
        return
    _update(export, status=Status.RUNNING, progress=10)
    try:
        content, extension = render_export(export)
    except Exception as error:
        logger.exception("Export %s failed", export_id)
        _update(
            export,
            status=Status.FAILED,
            progress=0,
            finished=timezone.now(),
            error=f"The export could not be built ({type(error).__name__}: {error}).",
        )
        return
    name = slugify(export.workshop or export.series)[:60] or "export"
    export.file.save(
        f"{name}-{export.kind}-{export.pk}.{extension}", ContentFile(content), save=False
    )
    done = _update(
        export,
        status=Status.DONE,
        progress=100,
        finished=timezone.now(),
        error="",
        file=export.file.name,
    )
    if not done:
        # Erasure or expiry deleted the export while it was being built: so goes its file.
        export.file.delete(save=False)


@shared_task(acks_late=True)
def make_final_version(version_id):
    """Make a claimed final version's PDFs; a failure is recorded on the version."""
    version = (
        ReportVersion.objects.select_related("series", "finalised_by")
        .filter(pk=version_id, status=ReportVersion.Status.MAKING)
        .first()
    )
    if version is not None:
        report_version_make(version)


def _update(export, **fields):
    """Whether the export's row was still there to update."""
    updated = ReportExport.objects.filter(pk=export.pk).update(**fields)
    for name, value in fields.items():
        setattr(export, name, value)
    return bool(updated)


@shared_task
def expire_exports():
    """The daily job: the same as `manage.py expire_exports`."""
    call_command("expire_exports")


@shared_task
def purge_closed_workshops():
    """The daily retention job: the same as `manage.py purge_closed_workshops`."""
    call_command("purge_closed_workshops", "--older-than", str(settings.RETENTION_DAYS))


@shared_task
def send_results_confirmation(subscription_id):
    """The email asking the owner of an address to confirm it (synthesis.notices)."""
    results_confirmation_send(subscription_id=subscription_id)


@shared_task
def send_results_notices(series_id):
    """Email the news of a series' public results to those who follow it (synthesis.notices)."""
    results_notices_send(series_id=series_id)


@shared_task
def send_due_results_news():
    """The sweep for news whose own run was lost (synthesis.notices.results_news_send_due)."""
    results_news_send_due()


@shared_task(acks_late=True)
def embed_workshop(workshop_id):
    """Vectors for a workshop's posts whose words are new or changed (see synthesis.apps).
    On one core: in the embedded default this runs in the web process, beside a live room."""
    vectors.workshop_refreshed(workshop_id)
    vectors.refresh(Contribution.objects.filter(workshop_id=workshop_id), threads=1)


@shared_task(acks_late=True)
def embed_series(series_id):
    """Vectors for every visible post of a series that has none or a stale one, its progress
    kept for the themes page (vectors.progress)."""
    vectors.refresh(
        Contribution.objects.filter(workshop__series_id=series_id),
        progress=lambda done, total: vectors.record_progress(series_id, done, total),
    )
    vectors.record_progress(series_id, None, None)
