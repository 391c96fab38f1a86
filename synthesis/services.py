from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts import audit
from participants.models import Contribution, Vote
from participants.services import workshop_participants_purge
from participants.text import tidy_text
from synthesis import vectors
from synthesis.board import build_board
from synthesis.models import (
    STALE_AFTER,
    DismissedSuggestion,
    Finding,
    FindingResponse,
    Judgement,
    ReportChoice,
    ReportExport,
    ReportText,
    Theme,
)
from synthesis.publication import announce_results_changed, published_version
from synthesis.report import data_version
from synthesis.stats import Verdict
from synthesis.tasks import build_export, embed_series, make_final_version
from synthesis.versions import report_version_claim
from workshops.models import Workshop, WorkshopSummary


def judgement_record(*, series, item, verdict, reason, user):
    """Confirm the suggested class of a board item, or override it with a reason.

    `item` is the board's reading of it (synthesis.board.Item), so what the rule said at
    the time is kept beside the decision.
    """
    if verdict not in {v.value for v in Verdict}:
        raise ValidationError({"verdict": "Please choose a class."})
    reason = (reason or "").strip()
    if verdict != item.reading.verdict and not reason:
        raise ValidationError({"reason": "Please say why you are changing the suggested class."})
    judgement, _ = Judgement.objects.update_or_create(
        series=series,
        **{f"{item.kind}_id": item.pk},
        defaults={
            "verdict": verdict,
            "computed": item.reading.verdict,
            "reason": reason,
            "decided_by": user,
        },
    )
    audit.record(
        "judge",
        judgement,
        actor=user,
        verdict=verdict,
        computed=item.reading.verdict.value,
        item=f"{item.kind} {item.pk}",
    )
    return judgement


def judgement_withdraw(*, judgement):
    judgement.delete()


def report_choice_set(*, series, item, choice, user):
    """Pin a board item into the report or leave it out of the report only; an empty
    choice hands it back to the selection rule. Nothing else about the item changes."""
    key = {f"{item.kind}_id": item.pk}
    if not choice:
        ReportChoice.objects.filter(series=series, **key).delete()
    elif choice in ReportChoice.Choice.values:
        ReportChoice.objects.update_or_create(
            series=series, **key, defaults={"choice": choice, "decided_by": user}
        )
    else:
        raise ValidationError({"choice": "Please choose how the report treats this item."})
    audit.record(
        "report_choice",
        series,
        actor=user,
        choice=choice or "rule",
        item=f"{item.kind} {item.pk}",
    )


def _visible_posts(series, contribution_ids):
    """The visible posts of the series with these numbers; any other number is an error."""
    posts = list(
        Contribution.objects.filter(
            pk__in=contribution_ids, workshop__series=series, state=Contribution.State.VISIBLE
        )
    )
    missing = set(contribution_ids) - {c.pk for c in posts}
    if missing:
        numbers = ", ".join(str(n) for n in sorted(missing))
        raise ValidationError(
            {"contributions": f"These are not visible posts of this series: {numbers}."}
        )
    return posts


@transaction.atomic
def theme_create(*, series, title, contribution_ids, user):
    if len(set(contribution_ids)) < 2:
        raise ValidationError({"contributions": "A theme links at least two posts."})
    # A post may already be in other themes: a cross-cutting theme gathers posts that also
    # stand in narrower ones, and its votes count in each.
    members = _visible_posts(series, contribution_ids)
    theme = Theme(series=series, title=tidy_text(title), created_by=user)
    theme.full_clean()
    theme.save()
    theme.contributions.set(members)
    return theme


@transaction.atomic
def theme_update(*, theme, title, contribution_ids):
    if len(set(contribution_ids)) < 2:
        raise ValidationError({"contributions": "A theme links at least two posts."})
    members = _visible_posts(theme.series, contribution_ids)
    theme.title = tidy_text(title)
    theme.full_clean()
    theme.save(update_fields=["title"])
    theme.contributions.set(members)
    return theme


def theme_delete(*, theme):
    theme.delete()


@transaction.atomic
def finding_save(
    *,
    series,
    title,
    body,
    kind,
    easy_read="",
    pillar=None,
    contribution_ids=(),
    themes=(),
    user=None,
    finding=None,
):
    """Create or update a key finding with its evidence: posts and themes of this series."""
    evidence = _visible_posts(series, contribution_ids)
    if any(theme.series_id != series.pk for theme in themes):
        raise ValidationError({"themes": "Themes must belong to this series."})
    finding = finding or Finding(series=series, created_by=user)
    finding.title, finding.body = tidy_text(title), tidy_text(body)
    finding.easy_read = tidy_text(easy_read)
    finding.kind, finding.pillar = kind, pillar
    finding.full_clean()
    finding.save()
    finding.contributions.set(evidence)
    finding.themes.set(themes)
    return finding


REPORT_TEXT_MAX_LENGTH = 20_000


def report_text_save(*, series, workshop=None, user=None, **fields):
    """Save what analysts write around the series report, or around one workshop's report;
    fields left out stay as they are."""
    text = ReportText.objects.filter(series=series, workshop=workshop).first() or ReportText(
        series=series, workshop=workshop
    )
    for name in ReportText.FIELDS:
        if name in fields:
            setattr(text, name, _report_text(name, fields[name]))
    text.updated_by = user if user is not None and user.is_authenticated else None
    text.full_clean()
    text.save()
    return text


def _report_text(name, value):
    value = tidy_text(value)
    if "\x00" in value:
        raise ValidationError({name: "This text has a character we cannot store."})
    if len(value) > REPORT_TEXT_MAX_LENGTH:
        raise ValidationError(
            {name: f"Please keep it to {REPORT_TEXT_MAX_LENGTH:,} characters or fewer."}
        )
    return value


def finding_delete(*, finding):
    finding.delete()


RESPONSE_FIELDS = ("status", "action", "reason", "date", "responsible", "easy_read")
REASON_NEEDED = "Say why it is not being taken forward: the people who took part will read it."


@transaction.atomic
def finding_response_add(*, finding, user, **fields):
    """Add to a finding's history of responses: where things stand now."""
    response = FindingResponse(finding=finding, created_by=user)
    _response_save(response, fields)
    _response_recorded("finding_response_added", response, user)
    _announce_response(finding, f"was added: {response.get_status_display()}")
    return response


@transaction.atomic
def finding_response_edit(*, response, user, **fields):
    """Correct one entry of a finding's history; fields left out stay as they are."""
    _response_save(response, fields)
    _response_recorded("finding_response_edited", response, user)
    _announce_response(response.finding, f"was updated: {response.get_status_display()}")
    return response


@transaction.atomic
def finding_response_delete(*, response, user):
    _response_recorded("finding_response_deleted", response, user)
    response.delete()
    _announce_response(response.finding, "was removed")


def _response_save(response, fields):
    for name in RESPONSE_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(response, name, tidy_text(value) if isinstance(value, str) else value)
    errors = {}
    try:
        response.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    if response.status == FindingResponse.Status.NOT_TAKEN_FORWARD and not response.reason:
        errors.setdefault("reason", []).append(REASON_NEEDED)
    if errors:
        raise ValidationError(errors)
    response.save()


def _response_recorded(action, response, user):
    # Where things stand, never the words: those are on the findings page.
    audit.record(
        action,
        response,
        actor=user,
        organisation=response.finding.series.organisation,
        finding=response.finding_id,
        status=response.status,
    )


def _announce_response(finding, change):
    """Tell those who follow the results, but only of a finding the public page shows, and by
    the title it has there (frozen with the published version, whatever it is called now)."""
    version = published_version(finding.series)
    shown = version.public_content.get("findings", []) if version else []
    title = next((item["title"] for item in shown if item["id"] == finding.pk), None)
    if title is not None:
        announce_results_changed(finding.series, f"A response to “{title}” {change}.")


def export_request(*, series, kind, user, workshop=None, include_appendix=False):
    """Queue an export after commit; an identical request for unchanged data reuses the one
    already queued, running or done. Returns (export, created)."""
    if kind not in ReportExport.Kind.values:
        raise ValidationError({"kind": "Please choose what to export."})
    if workshop is not None and workshop.series_id != series.pk:
        raise ValidationError({"workshop": "That workshop is not part of this series."})
    include_appendix = include_appendix and kind == ReportExport.Kind.PDF
    scope = {
        "series": series,
        "workshop": workshop,
        "kind": kind,
        "include_appendix": include_appendix,
        "fingerprint": data_version(series, workshop),
    }
    # An unfinished export long past any real build lost its worker: don't hand it back.
    not_stuck = Q(status=ReportExport.Status.DONE) | Q(
        status__in=[ReportExport.Status.QUEUED, ReportExport.Status.RUNNING],
        created__gte=timezone.now() - STALE_AFTER,
    )
    reusable = ReportExport.objects.filter(not_stuck, **scope).first()
    if reusable:
        return reusable, False
    export = ReportExport.objects.create(requested_by=user, **scope)
    build_export.delay_on_commit(export.pk)
    return export, True


def report_version_request(*, series, user):
    """Take the next final version's number now and make its PDFs in the background."""
    version = report_version_claim(series=series, user=user)
    make_final_version.delay_on_commit(version.pk)
    return version


def suggestion_dismiss(*, series, contribution_ids, user):
    """Turn a suggested theme down: one sharing half its posts with it is not shown again."""
    members = _visible_posts(series, contribution_ids)
    return DismissedSuggestion.objects.create(
        series=series, contribution_ids=sorted(post.pk for post in members), dismissed_by=user
    )


def meanings_request(*, series):
    """Work out, in the background, the meaning of each of the series' posts that has none
    or an out-of-date one, so similar posts can be found."""
    vectors.record_progress(series.pk, 0, None)
    embed_series.delay_on_commit(series.pk)


def export_retry(*, export):
    if export.status != ReportExport.Status.FAILED and not export.is_stale:
        raise ValidationError("Only a failed or stuck export can be tried again.")
    export.status, export.progress, export.error, export.finished = (
        ReportExport.Status.QUEUED,
        0,
        "",
        None,
    )
    export.save(update_fields=["status", "progress", "error", "finished"])
    build_export.delay_on_commit(export.pk)
    return export


@transaction.atomic
def workshop_purge(*, workshop, by=None):
    """Delete a closed workshop's participant-level data, keeping only counts.

    Participants, their contributions and votes go; what stays is a summary of how many
    took part from each group, how many posts and votes there were, and how the posts were
    classed. Series findings stay, without the posts they quoted.
    """
    if workshop.status != Workshop.Status.CLOSED:
        raise ValidationError("Only a closed workshop can be purged.")
    people = workshop.participants.filter(is_scribe=False)
    board = build_board(workshop.series, workshop=workshop)
    WorkshopSummary.objects.update_or_create(
        workshop=workshop,
        defaults={
            "participants_by_group": dict(
                people.values_list("group__slug").annotate(n=Count("pk")).order_by()
            ),
            "contributions": workshop.contributions.count(),
            "votes": Vote.objects.filter(contribution__workshop=workshop).count(),
            "classes": dict(Counter(item.verdict.value for item in board.items)),
        },
    )
    audit.record("purge", workshop, actor=by, workshop_id=workshop.pk)
    workshop_participants_purge(workshop=workshop)
