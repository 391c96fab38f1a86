"""Publishing a final report: what the public results page shows, and when.

A series report moves draft → final (synthesis.versions) → published. What the public page
shows of a final is frozen when it is made final (`public_content`), so drafting the next
version never reaches the public; only a final an analyst publishes is shown, and
unpublishing takes it down at once. Nothing personal is frozen: quotes are masked text with
their group only, and the overview keeps the report's small-numbers rule. A quote whose post
was since hidden, erased, purged or corrected is left out when the page is shown
(`public_results`).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts import audit
from participants.models import Contribution
from synthesis.models import FindingResponse, ReportVersion, ResultsNews
from synthesis.report import QUOTES_PER_ITEM, data_version, report_context

logger = logging.getLogger(__name__)

# Sent after commit when what the public results page shows changes: a version published or
# unpublished, a response to a published finding recorded, changed or removed. Arguments:
# series, what: a short sentence for people who follow the results ("The results were
# published."), empty where there is no news to send them (results taken down).
results_changed = Signal()


def announce_results_changed(series, what):
    transaction.on_commit(lambda: _send_results_changed(series, what))


def _send_results_changed(series, what):
    # Each receiver on its own: emails that fail must not keep walls from redrawing.
    for receiver, outcome in results_changed.send_robust(sender=None, series=series, what=what):
        if isinstance(outcome, Exception):
            logger.error("%s failed on results_changed", receiver, exc_info=outcome)


def public_content(series, *, final=None):
    """The JSON-ready part of a report the public results page shows."""
    context = report_context(series, final=final)
    about, overview = context["about"], context["overview"]
    return {
        "title": series.name,
        "about": {
            "people": about["people"],
            "workshops": len(about["workshops"]),
            "regions": about["regions"],
            "first": about["first"].date().isoformat() if about["first"] else None,
            "last": about["last"].date().isoformat() if about["last"] else None,
        },
        "findings": [_finding(finding) for finding in context["findings"]],
        "overview": {
            "groups": [group.name for group in overview["groups"]],
            "rows": [
                {
                    "recommendation": str(recommendation),
                    "easy_read": recommendation.easy_read,
                    "cells": [{"text": cell.text, "shade": cell.shade} for cell in cells],
                }
                for recommendation, cells in overview["stances"]
            ],
        },
    }


def _finding(finding):
    posts = [
        post for post in finding.contributions.all() if post.state == Contribution.State.VISIBLE
    ][:QUOTES_PER_ITEM]
    return {
        "id": finding.pk,
        "title": finding.title,
        "body": finding.body,
        "easy_read": finding.easy_read,
        "kind": finding.kind,
        "kind_label": finding.get_kind_display(),
        "pillar": str(finding.pillar) if finding.pillar else "",
        "figures": finding.figures,
        "quotes": [
            {
                "contribution": post.pk,
                "text": post.public_text,
                "group": post.participant.group.name if post.participant.group else "",
            }
            for post in posts
        ],
    }


def published_version(series):
    """The final version on the public results page, or None."""
    return series.report_versions.filter(
        published__isnull=False, status=ReportVersion.Status.FINAL
    ).first()


def report_version_publish(version, *, user=None):
    """Put a final version on the public results page, in place of any other."""
    if version.status != ReportVersion.Status.FINAL:
        raise ValidationError("Only a final version can be published: make it final first.")
    version.refresh_from_db()
    if version.published:
        return version  # a double click
    try:
        return _publish(version, user)
    except IntegrityError as error:
        # Two analysts publishing two versions at the same moment: the database keeps one.
        raise ValidationError(
            "Another version has just been published: reload the page to see which."
        ) from error


def _publish(version, user):
    with transaction.atomic():
        if not version.public_content:
            # Made final before results were published from versions: frozen now, but only
            # while the data is still as it was then, or the public would see today's draft.
            if data_version(version.series) != version.fingerprint:
                raise ValidationError(
                    f"Version {version.number} was made final before results could be "
                    "published, and the data has changed since: make a new final version "
                    "and publish that."
                )
            version.public_content = public_content(version.series, final=version)
        version.series.report_versions.filter(published__isnull=False).update(
            published=None, published_by=None
        )
        version.published, version.published_by = timezone.now(), _user(user)
        version.save(update_fields=["public_content", "published", "published_by"])
        audit.record("report_published", version, actor=_user(user), number=version.number)
        announce_results_changed(version.series, "The results were published.")
    return version


def report_version_unpublish(version, *, user=None):
    """Take a version off the public results page at once."""
    if not version.published:
        return version
    with transaction.atomic():
        # Pending news of these results is no longer true: it is not sent.
        ResultsNews.objects.filter(series=version.series_id).delete()
        version.published, version.published_by = None, None
        version.save(update_fields=["published", "published_by"])
        audit.record("report_unpublished", version, actor=_user(user), number=version.number)
        announce_results_changed(version.series, "")
    return version


def public_results(series):
    """What the public page shows now: the published version's content, its quotes still
    held by visible posts, and each finding's responses, oldest first; None before anything
    is published."""
    version = published_version(series)
    if version is None or not version.public_content:
        return None
    content = version.public_content
    findings = content.get("findings", [])
    quoted = {quote["contribution"] for finding in findings for quote in finding["quotes"]}
    # A quote shows only while its post shows the same words: one since hidden, erased,
    # purged or corrected (a name masked, say) is left out.
    words_now = {
        post.pk: post.public_text
        for post in Contribution.objects.filter(
            pk__in=quoted, state=Contribution.State.VISIBLE
        ).only("text", "masked_text", "personal_data", "personal_data_released")
    }
    responses = {}
    for response in FindingResponse.objects.filter(finding_id__in=[f["id"] for f in findings]):
        responses.setdefault(response.finding_id, []).append(response)
    return {
        "version": version,
        **content,
        "findings": [
            {
                **finding,
                "quotes": [
                    q for q in finding["quotes"] if words_now.get(q["contribution"]) == q["text"]
                ],
                "responses": responses.get(finding["id"], []),
            }
            for finding in findings
        ],
    }


def _user(user):
    return user if user is not None and user.is_authenticated else None
