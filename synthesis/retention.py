"""Exports die with the data they hold.

A CSV, spreadsheet or PDF made before a participant was erased, or before a closed workshop's
data was purged, still holds their words: every export whose scope held that workshop (its
own, and its series') is deleted, file and row. A final report version is kept only as a
record that it existed, its PDFs deleted; the next draft is made from what is left. Exports
also expire EXPORT_RETENTION_DAYS after they were asked for.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from synthesis.models import ReportExport, ReportVersion
from workshops.models import Workshop

ERASED = "a participant's words were erased"
PURGED = "a workshop's participant-level data was deleted at the end of its retention period"


def forget_exports_of(workshop_id, *, because):
    """Delete every export that held the workshop's data, and the PDFs of its series' final
    versions. Returns (exports deleted, versions emptied)."""
    series_id = Workshop.objects.filter(pk=workshop_id).values_list("series_id", flat=True).first()
    if series_id is None:
        return 0, 0
    exports = ReportExport.objects.filter(
        Q(workshop_id=workshop_id) | Q(series_id=series_id, workshop__isnull=True)
    )
    versions = ReportVersion.objects.filter(series_id=series_id, files_deleted__isnull=True)
    with transaction.atomic():
        doomed = list(exports.select_for_update())
        emptied = list(versions.exclude(file="", easy_read_file="").select_for_update())
        ReportExport.objects.filter(pk__in=[e.pk for e in doomed]).delete()
        ReportVersion.objects.filter(pk__in=[v.pk for v in emptied]).update(
            file="", easy_read_file="", files_deleted=timezone.now(), files_deleted_because=because
        )
        # The files go once the rows are gone for good; a rollback keeps both.
        transaction.on_commit(lambda: _delete_files(doomed, emptied))
    return len(doomed), len(emptied)


def expire_exports(now=None, series=None):
    """Delete exports (of `series`, by default of all) asked for more than
    EXPORT_RETENTION_DAYS ago; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    exports = ReportExport.objects.filter(created__lt=cutoff)
    if series is not None:
        exports = exports.filter(series__in=series)
    with transaction.atomic():
        doomed = list(exports.select_for_update())
        ReportExport.objects.filter(pk__in=[e.pk for e in doomed]).delete()
        transaction.on_commit(lambda: _delete_files(doomed, []))
    return len(doomed)


def _delete_files(exports, versions):
    # Django's own delete: an empty field or a file already gone is no error.
    for field in [e.file for e in exports] + [
        f for v in versions for f in (v.file, v.easy_read_file)
    ]:
        field.delete(save=False)
