"""Final versions of a series report: what a final rests on, and what has changed since.

A final is made once and never changes: its PDF is stored as it was approved. The report
being worked on is the draft of the next number, and says so on every page.
"""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.utils.text import slugify

from accounts import audit
from accounts.models import AuditEntry
from participants.models import Contribution, Vote
from synthesis.exports import render_easy_read_pdf, render_pdf
from synthesis.models import ReportVersion
from synthesis.report import HEARD_NOT_TESTED, data_version, report_context
from synthesis.selectors import next_report_version


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


def report_version_finalise(*, series, user=None):
    """Make the report as it stands the next final version, its PDFs stored as approved.

    The PDFs are rendered before the row is written, outside a transaction: a render takes
    seconds, and votes keep arriving meanwhile. Two analysts making the same number final
    at once: the second is told, and its files are removed.
    """
    version = ReportVersion(
        series=series,
        number=next_report_version(series),
        fingerprint=data_version(series),
        unconfirmed=len(unconfirmed_items(series)),
        finalised_by=user if user is not None and user.is_authenticated else None,
        **_counts(series),
    )
    name = f"{slugify(series.name) or 'series'}-version-{version.number}"
    version.file.save(f"{name}.pdf", ContentFile(render_pdf(series, final=version)), save=False)
    version.easy_read_file.save(
        f"{name}-easy-read.pdf",
        ContentFile(render_easy_read_pdf(series, final=version)),
        save=False,
    )
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError as error:
        version.file.delete(save=False)
        version.easy_read_file.delete(save=False)
        raise ValidationError(
            f"Version {version.number} has just been made final by someone else."
        ) from error
    audit.record("report_final", version, actor=user, number=version.number)
    return version
