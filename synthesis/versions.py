"""Final versions of a series report: what a final rests on, and what has changed since.

A final is made once and never changes: its PDFs are stored as they were approved. The
report being worked on is the draft of the next number, and says so on every page.
"""

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import slugify

from accounts import audit
from accounts.models import AuditEntry
from participants.models import Contribution, Vote
from synthesis.exports import render_easy_read_pdf, render_pdf
from synthesis.models import ReportVersion
from synthesis.publication import public_content
from synthesis.report import HEARD_NOT_TESTED, data_version, report_context
from synthesis.selectors import next_report_version

logger = logging.getLogger(__name__)


def unconfirmed_items(series):
    """Items the report prints under a heading whose class no analyst has confirmed."""
    context = report_context(series)
    return [
        item
        for section in context["pillars"]
        for recommendation in section["recommendations"]
        for heading in recommendation["headings"]
        if heading["title"] != HEARD_NOT_TESTED
        for item in heading["items"]
        if item.judgement is None
    ]


def _counts(series):
    posts = Contribution.objects.filter(workshop__series=series, state=Contribution.State.VISIBLE)
    return {
        "contributions": posts.count(),
        "votes": Vote.objects.filter(contribution__in=posts).count(),
    }


def changes_since(version):
    """What has changed since a final version, in words; empty when nothing has."""
    series = version.series
    if data_version(series) == version.fingerprint:
        return []
    now = _counts(series)
    changes = [
        _difference(now["votes"] - version.votes, "vote"),
        _difference(now["contributions"] - version.contributions, "post"),
    ]
    since = AuditEntry.objects.filter(
        at__gt=version.finalised, workshop_id__in=series.workshops.values("pk")
    )
    erased = since.filter(action="erase_participant").count()
    purged = since.filter(action="purge").count()
    changes += [f"{erased} participant{pluralize(erased)} erased"] if erased else []
    changes += [f"{purged} workshop{pluralize(purged)} purged"] if purged else []
    return [change for change in changes if change] or ["analysts' decisions or texts changed"]


def _difference(change, noun):
    if not change:
        return ""
    return f"{abs(change)} {noun}{pluralize(abs(change))} {'more' if change > 0 else 'fewer'}"


def report_version_claim(*, series, user=None):
    """Take the next number for a final version of the report as it stands; its PDFs are made
    by `report_version_make`. A failed or stuck attempt gives its number back first; one still
    being made holds it, and two analysts asking at once: the second is told."""
    Status = ReportVersion.Status
    attempts = series.report_versions.exclude(status=Status.FINAL)
    if any(not attempt.is_stale and attempt.status == Status.MAKING for attempt in attempts):
        raise ValidationError("A version is already being made final: it will show here soon.")
    attempts.delete()
    version = ReportVersion(
        series=series,
        number=next_report_version(series),
        status=Status.MAKING,
        fingerprint=data_version(series),
        unconfirmed=len(unconfirmed_items(series)),
        finalised_by=user if user is not None and user.is_authenticated else None,
        **_counts(series),
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as error:
        raise ValidationError(
            f"Version {version.number} has just been made final by someone else."
        ) from error
    return version


def report_version_make(version):
    """Render and store a claimed version's PDFs, then mark it final; a failure is recorded
    on it, with its reason, and its number is given back at the next attempt."""
    series = version.series
    name = f"{slugify(series.name) or 'series'}-version-{version.number}"
    try:
        version.file.save(f"{name}.pdf", ContentFile(render_pdf(series, final=version)), save=False)
        version.easy_read_file.save(
            f"{name}-easy-read.pdf",
            ContentFile(render_easy_read_pdf(series, final=version)),
            save=False,
        )
        version.public_content = public_content(series, final=version)
    except Exception as error:
        logger.exception("Making version %s of series %s final failed", version.number, series.pk)
        for file in (version.file, version.easy_read_file):
            if file:
                file.delete(save=False)
        version.status = ReportVersion.Status.FAILED
        version.error = f"The PDFs could not be made ({type(error).__name__}: {error})."
        version.save(update_fields=["status", "error", "file", "easy_read_file"])
        return version
    version.status, version.finalised = ReportVersion.Status.FINAL, timezone.now()
    version.save(update_fields=["status", "finalised", "file", "easy_read_file", "public_content"])
    audit.record("report_final", version, actor=version.finalised_by, number=version.number)
    return version


def report_version_finalise(*, series, user=None):
    """Make the report as it stands the next final version now, in this process (the demo
    and scripts; the page makes it in the background)."""
    version = report_version_make(report_version_claim(series=series, user=user))
    if version.status != ReportVersion.Status.FINAL:
        raise ValidationError(version.error)
    return version
