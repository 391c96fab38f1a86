"""Contributions and votes as tables other deliberation tools can read.

The layouts follow Polis's comments.csv and participants-votes.csv, with this app's
stakeholder-group counts and classes added as further columns. Participants appear only
as numbers; hidden and unapproved contributions are left out.
"""

import csv
import io

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook

from participants.models import Participant, StakeholderGroup, Vote
from pillars.models import Recommendation
from synthesis.board import contribution_items
from synthesis.report import report_context

VOTE_VALUE = {Vote.Choice.AGREE: 1, Vote.Choice.DISAGREE: -1, Vote.Choice.PASS: 0}
# A spreadsheet runs a cell that starts like a formula; these are shown as text instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Tables:
    """Both tables for one scope: every visible post, each read on its own."""

    def __init__(self, series, workshop=None):
        self.items = sorted(contribution_items(series, workshop), key=lambda i: i.pk)
        self.groups = list(StakeholderGroup.objects.all())
        self.votes = (
            Vote.objects.filter(contribution__in=[i.pk for i in self.items])
            .values_list(
                "participant_id",
                "participant__group__slug",
                "contribution_id",
                "choice",
                "contribution__participant_id",
            )
            .order_by("participant_id", "contribution_id")
        )
        # Participants are numbered 1, 2, 3 … in the order they joined, never by database
        # id, and the same way in every export of this scope, so the two tables join up.
        people = (
            Participant.objects.filter(workshop=workshop)
            if workshop
            else Participant.objects.filter(workshop__series=series)
        )
        self.pseudonym = {
            pk: n for n, pk in enumerate(people.order_by("pk").values_list("pk", flat=True), 1)
        }
        self.recommendation_number = dict(
            Recommendation.objects.filter(pillar__framework=series.framework_id).values_list(
                "pk", "number"
            )
        )

    def _participant_number(self, participant_id):
        return self.pseudonym[participant_id]

    def comments(self):
        group_columns = [
            f"{g.slug}-{c}" for g in self.groups for c in ("agrees", "disagrees", "passes")
        ]
        yield [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
            "passes",
            "author-group",
            "workshop",
            "region",
            "recommendation",
            "class",
            "suggested-class",
            *group_columns,
        ]
        for item in self.items:
            author = item.author_id
            total = item.total
            per_group = [
                getattr(item.tallies.get(g.slug), field, 0) or 0
                for g in self.groups
                for field in ("agree", "disagree", "passes")
            ]
            yield [
                int(item.created.timestamp()),
                item.created.isoformat(),
                item.pk,
                self._participant_number(author),
                total.agree,
                total.disagree,
                1,
                item.text,
                total.passes,
                item.author_group.name,
                item.workshop.title,
                item.workshop.region,
                self.recommendation_number.get(item.recommendation_id, ""),
                item.verdict.label,
                item.reading.verdict.label,
                *per_group,
            ]

    def participants_votes(self):
        columns = [item.pk for item in self.items]
        authored = {}
        for item in self.items:
            authored[item.author_id] = authored.get(item.author_id, 0) + 1
        yield [
            "participant",
            "group-id",
            "n-comments",
            "n-votes",
            "n-agree",
            "n-disagree",
            *columns,
        ]
        row_of = {}
        for participant_id, group, contribution_id, choice, author_id in self.votes:
            if participant_id == author_id:
                continue
            row = row_of.setdefault(participant_id, {"group": group, "votes": {}})
            row["votes"][contribution_id] = VOTE_VALUE[choice]
        for participant_id, row in sorted(row_of.items()):
            values = row["votes"]
            yield [
                self._participant_number(participant_id),
                row["group"],
                authored.get(participant_id, 0),
                len(values),
                sum(1 for v in values.values() if v == 1),
                sum(1 for v in values.values() if v == -1),
                *[values.get(column, "") for column in columns],
            ]


def write_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(tables):
    workbook = Workbook(write_only=True)
    for title, rows in (
        ("comments", tables.comments()),
        ("participants-votes", tables.participants_votes()),
    ):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(series, workshop=None, include_appendix=False):
    # Imported here: WeasyPrint takes seconds to load and only the worker renders PDFs.
    from weasyprint import HTML

    html = render_to_string(
        "synthesis/report/report.html",
        report_context(series, workshop=workshop, include_appendix=include_appendix),
    )
    # pdf/ua-1 makes a tagged PDF: structure tree, language and title from the HTML.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


def render_export(export):
    """The bytes of an export and the file extension they are saved with."""
    kind = export.Kind
    if export.kind == kind.PDF:
        return render_pdf(export.series, export.workshop, export.include_appendix), "pdf"
    tables = Tables(export.series, export.workshop)
    if export.kind == kind.CONTRIBUTIONS_CSV:
        return write_csv(tables.comments()), "csv"
    if export.kind == kind.VOTES_CSV:
        return write_csv(tables.participants_votes()), "csv"
    return write_xlsx(tables), "xlsx"
