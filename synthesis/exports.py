"""Contributions and votes as tables analysts and other deliberation tools can read.

The layouts follow Polis's comments.csv and participants-votes.csv. The CSV and Excel
exports add this app's stakeholder-group counts and classes as further columns and hold
visible posts only. The Pol.is export holds Polis's columns and nothing else, for tools
made for Polis. Participants appear only as numbers; hidden and unapproved words never
leave.
"""

import csv
import io
import zipfile
from collections import Counter, defaultdict
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from participants.models import Contribution, Participant, StakeholderGroup, Vote
from pillars.models import Recommendation
from synthesis import pdf_speedups
from synthesis.board import contribution_items
from synthesis.docx_report import render_docx
from synthesis.easy_read import easy_read_context
from synthesis.models import ReportExport
from synthesis.report import (
    enough_people,
    in_scope,
    people_by_place,
    protected_groups,
    report_context,
    unnamed_workshop,
)
from synthesis.selectors import thresholds
from synthesis.stats import Verdict

FEWER = "fewer than {small} people"
VOTE_VALUE = {Vote.Choice.AGREE: 1, Vote.Choice.DISAGREE: -1, Vote.Choice.PASS: 0}
# A spreadsheet runs a cell that starts like a formula; these are shown as text instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COMMENT_COLUMNS = {
    "timestamp": "When the post was written, in seconds since 1 January 1970 (UTC).",
    "datetime": "When the post was written (UK time).",
    "comment-id": "The post's number, as the board shows it. It heads a column of "
    "participants-votes.",
    "author-id": "The number of the participant who wrote it.",
    "agrees": "Agree votes, leaving out the author's own.",
    "disagrees": "Disagree votes, leaving out the author's own.",
    "moderated": "1: approved by the facilitators (only approved, visible posts are here).",
    "comment-body": "The words of the post as the wall showed them, personal details masked.",
    "passes": "Pass votes, leaving out the author's own.",
    "author-group": "The stakeholder group the author spoke for.",
    "workshop": "The workshop the post was written in; “a regional workshop” (or national) "
    "where fewer than {small} people of the author's group took part in it.",
    "region": "The workshop's region; empty where the workshop is not named.",
    "recommendation": "The number of the recommendation the prompt asked about.",
    "recommendation-title": "The title of that recommendation.",
    "class": "The class an analyst confirmed or chose; where none has, the suggested class.",
    "suggested-class": "The class the votes give by the rule (see Classes above).",
}
VOTES_COLUMNS = {
    "participant": "The participant's number: 1, 2, 3 … in the order they joined, the same "
    "as author-id in comments.",
    "group-id": "The stakeholder group they spoke for.",
    "n-comments": "How many of the posts here they wrote.",
    "n-votes": "How many of the posts here they voted on, leaving out their own.",
    "n-agree": "How many of those votes were agree.",
    "n-disagree": "How many were disagree.",
}
POST_COLUMN = (
    "(one column per post, headed by its comment-id)",
    "Their vote on that post: 1 agree, -1 disagree, 0 pass, empty if they did not vote.",
)
CLASS_MEANINGS = {
    Verdict.COMMON_GROUND: "Every stakeholder group with enough votes agrees, and enough groups "
    "voted.",
    Verdict.SHARED_REJECTION: "Every stakeholder group with enough votes disagrees.",
    Verdict.DEBATE_OPPOSED: "One group agrees and another disagrees.",
    Verdict.DEBATE_DIVERGENT: "Two groups' agree rates differ clearly, by more than chance.",
    Verdict.MAJORITY_VIEW: "Most voters, taken together, agree, but not every group is with "
    "them yet.",
    Verdict.MAJORITY_REJECTS: "Most voters, taken together, disagree.",
    Verdict.MIXED: "Enough votes, but no clear pattern: views are split.",
    Verdict.INSUFFICIENT_DATA: "Too few votes, or too few groups voting, to say yet.",
}

POLIS_COMMENT_COLUMNS = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]
# Polis's comment moderation: -1 moderated out, 0 not yet moderated, 1 accepted.
POLIS_MODERATED = {
    Contribution.State.VISIBLE: 1,
    Contribution.State.PENDING: 0,
    Contribution.State.HIDDEN: -1,
    Contribution.State.MERGED: -1,
}


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def vote_matrix(contribution_ids):
    """{participant id: {contribution id: 1 agree, -1 disagree, 0 pass}}; an author's vote
    on their own post is left out, as everywhere else in the app."""
    votes = (
        Vote.objects.filter(contribution__in=contribution_ids)
        .exclude(participant=F("contribution__participant"))
        .values_list("participant_id", "contribution_id", "choice")
    )
    matrix = defaultdict(dict)
    for participant_id, contribution_id, choice in votes:
        matrix[participant_id][contribution_id] = VOTE_VALUE[choice]
    return dict(matrix)


class _Scope:
    """The participants of a series or workshop, numbered, and their votes as a table."""

    def __init__(self, series, workshop=None):
        self.series, self.workshop = series, workshop
        people = Participant.objects.filter(in_scope(series, workshop)).order_by("pk")
        self.group_of = dict(people.values_list("pk", "group__slug"))
        # Participants are numbered 1, 2, 3 … in the order they joined, never by database
        # id, and the same way in every export of this scope, so the tables join up.
        self.pseudonym = {pk: n for n, pk in enumerate(self.group_of, 1)}

    def _votes_table(self, posts, people):
        """Polis's participants-votes layout: a row for each (participant id, group) of
        `people`, a column for each (post id, author id) of `posts`."""
        columns = [pk for pk, _ in posts]
        authored = Counter(author for _, author in posts)
        yield [*VOTES_COLUMNS, *columns]
        for participant_id, group in people:
            votes = self.matrix.get(participant_id, {})
            values = list(votes.values())
            yield [
                self.pseudonym[participant_id],
                group,
                authored[participant_id],
                len(values),
                values.count(1),
                values.count(-1),
                *[votes.get(column, "") for column in columns],
            ]


class Tables(_Scope):
    """Both tables for one scope: every visible post, each read on its own."""

    def __init__(self, series, workshop=None):
        super().__init__(series, workshop)
        self.items = sorted(contribution_items(series, workshop), key=lambda i: i.pk)
        self.people = people_by_place(in_scope(series, workshop))
        self.groups = list(StakeholderGroup.objects.all())
        self.matrix = vote_matrix([item.pk for item in self.items])
        self.recommendations = Recommendation.objects.filter(
            pillar__framework=series.framework_id
        ).in_bulk()

    def comment_columns(self):
        """{column: what it holds}, in the order of the comments table."""
        small = settings.REPORT_SMALL_NUMBER
        fewer = FEWER.format(small=small)
        return {
            column: meaning.format(small=small) for column, meaning in COMMENT_COLUMNS.items()
        } | {
            f"{g.slug}-{field}": f"{field.capitalize()} votes from {g.name}, leaving out the "
            f"author's own; “{fewer}” where the workshop is named and fewer than {small} of "
            "them took part in it."
            for g in self.groups
            for field in ("agrees", "disagrees", "passes")
        }

    def comments(self):
        yield list(self.comment_columns())
        for item in self.items:
            yield self._comment_row(item)

    def _comment_row(self, item):
        """A post's row, under the report's small-numbers rule: where its author's group was
        small in the workshop, the workshop is not named; where the workshop is named, a
        small group's counts are not given."""
        total = item.total
        recommendation = self.recommendations.get(item.recommendation_id)
        named = enough_people(item.author_group, item.workshop, self.people)
        protected = protected_groups(item, self.people, self.groups)
        return [
            int(item.created.timestamp()),
            item.created,
            item.pk,
            self.pseudonym[item.author_id],
            total.agree,
            total.disagree,
            1,
            item.text,
            total.passes,
            item.author_group.name,
            item.workshop.title if named else unnamed_workshop(item.workshop),
            item.workshop.region if named else "",
            recommendation.number if recommendation else "",
            recommendation.title if recommendation else "",
            item.verdict.label,
            item.reading.verdict.label,
            *[
                self._count(item.tallies.get(g.slug), field, hidden=g.slug in protected)
                for g in self.groups
                for field in ("agree", "disagree", "passes")
            ],
        ]

    @staticmethod
    def _count(tally, field, *, hidden):
        count = getattr(tally, field, 0) or 0
        return FEWER.format(small=settings.REPORT_SMALL_NUMBER) if hidden and count else count

    def participants_votes(self):
        """One row per person who voted on any of the posts."""
        posts = [(item.pk, item.author_id) for item in self.items]
        return self._votes_table(posts, [(pk, self.group_of[pk]) for pk in sorted(self.matrix)])


class PolisTables(_Scope):
    """Polis's own two tables, column for column: every post of the scope with its
    moderation state, and every participant, whether they voted or not.

    Polis numbers its opinion groups 0, 1, 2 …; here group ids number the declared
    stakeholder groups the same way, in their usual order (see `groups`). Words of posts
    not approved and visible are left out: only the row and its votes remain.
    """

    def __init__(self, series, workshop=None):
        super().__init__(series, workshop)
        self.posts = list(Contribution.objects.filter(in_scope(series, workshop)).order_by("pk"))
        self.matrix = vote_matrix([post.pk for post in self.posts])
        self.group_ids = {
            slug: n
            for n, slug in enumerate(StakeholderGroup.objects.values_list("slug", flat=True))
        }

    def comments(self):
        counts = Counter(
            (pk, value) for votes in self.matrix.values() for pk, value in votes.items()
        )
        yield POLIS_COMMENT_COLUMNS
        for post in self.posts:
            shown = post.state == Contribution.State.VISIBLE
            yield [
                int(post.created.timestamp()),
                polis_datetime(post.created),
                post.pk,
                self.pseudonym[post.participant_id],
                counts[post.pk, 1],
                counts[post.pk, -1],
                POLIS_MODERATED[post.state],
                post.public_text if shown else "",
            ]

    def participants_votes(self):
        posts = [(post.pk, post.participant_id) for post in self.posts]
        people = [(pk, self.group_ids[slug]) for pk, slug in self.group_of.items()]
        return self._votes_table(posts, people)

    def groups(self):
        """What each integer group id stands for."""
        yield ["group-id", "group"]
        names = dict(StakeholderGroup.objects.values_list("slug", "name"))
        for slug, group_id in self.group_ids.items():
            yield [group_id, names[slug]]


def polis_datetime(moment):
    """The datetime column as Polis writes it (JavaScript's Date.toString on a UTC server)."""
    return moment.astimezone(UTC).strftime(
        "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)"
    )


def write_csv(rows, *, for_excel=True):
    """CSV with every cell that starts like a formula shown as text. For Excel, a byte-order
    mark (so it reads UTF-8) and CRLF; otherwise plain UTF-8 and LF, as Polis writes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if for_excel else "\n")
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig" if for_excel else "utf-8")


def _csv_value(value):
    return value.isoformat() if isinstance(value, datetime) else neutralise(value)


def write_polis_zip(tables):
    """The folder a Polis export gives, zipped: comments.csv, participants-votes.csv and
    groups.csv to read the group ids by."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in (
            ("comments.csv", tables.comments()),
            ("participants-votes.csv", tables.participants_votes()),
            ("groups.csv", tables.groups()),
        ):
            archive.writestr(name, write_csv(rows, for_excel=False))
    return buffer.getvalue()


def write_xlsx(tables):
    """A README sheet, then the two tables, each with a frozen header row and filters."""
    workbook = Workbook(write_only=True)
    readme = workbook.create_sheet("README")
    for letter, width in zip("ABC", (28, 60, 80), strict=True):
        readme.column_dimensions[letter].width = width
    sheets = {"comments": tables.comments(), "participants-votes": tables.participants_votes()}
    headers = {title: next(rows) for title, rows in sheets.items()}
    for row in readme_rows(tables, headers):
        readme.append([_xlsx_cell(readme, value) for value in row])
    for title, rows in sheets.items():
        _write_table(workbook.create_sheet(title), [headers[title], *rows])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_table(sheet, rows):
    # A streamed sheet writes its view first, so the pane is frozen before any row.
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(rows[0]))}{len(rows)}"


def _xlsx_cell(sheet, value):
    """Text stays text, word for word: a string cell is never run as a formula."""
    if isinstance(value, datetime):
        # Excel has no time zones: dates are written as the UK clock showed them.
        value = timezone.localtime(value).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        # Excel's mark for typed-in text that starts like a formula: it stays text if edited.
        cell.quotePrefix = value.startswith(FORMULA_STARTS)
    return cell


def readme_rows(tables, headers):
    """What the workbook holds and how to read every column of it."""
    scope = tables.workshop.title if tables.workshop else "The whole series"
    yield ["Contributions and votes", tables.series.name]
    yield ["Scope", scope]
    yield ["Exported", timezone.now()]
    yield [
        "About",
        "One row per visible post (comments) and per person who voted "
        "(participants-votes). People appear only as numbers. Hidden posts and posts "
        "never approved are left out, and so is each author's vote on their own post.",
    ]
    yield []
    yield ["Thresholds in force", "Value"]
    yield from thresholds().as_rows()
    yield []
    yield ["Classes", "Meaning"]
    yield from ([verdict.label, CLASS_MEANINGS[verdict]] for verdict in Verdict)
    yield []
    yield from _column_dictionary(tables, headers)


def _column_dictionary(tables, headers):
    yield ["Sheet", "Column", "Meaning"]
    meanings = {"comments": tables.comment_columns(), "participants-votes": VOTES_COLUMNS}
    for title, header in headers.items():
        # Integer columns are post ids, described once below.
        for column in (c for c in header if isinstance(c, str)):
            yield [title, column, meanings[title][column]]
    yield ["participants-votes", *POST_COLUMN]


@pdf_speedups.rendering()
def render_pdf(series, workshop=None, include_appendix=False, final=None):
    """The report as a tagged PDF; a draft on every page unless `final` (a ReportVersion)."""
    context = report_context(
        series, workshop=workshop, include_appendix=include_appendix, final=final
    )
    return tagged_pdf(render_to_string("synthesis/report/report.html", context))


@pdf_speedups.rendering()
def render_easy_read_pdf(series, workshop=None, final=None):
    """The report's Easy Read version as a tagged PDF, marked as the report is."""
    context = easy_read_context(series, workshop=workshop, final=final)
    return tagged_pdf(render_to_string("synthesis/report/easy_read.html", context))


def tagged_pdf(html):
    # Imported here: WeasyPrint takes seconds to load and only the worker renders PDFs.
    from weasyprint import HTML

    from synthesis.pdfua import make_accessible

    pdf_speedups.apply()
    # pdf/ua-1 makes a tagged PDF: structure tree, language and title from the HTML.
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
    return make_accessible(pdf)


Kind = ReportExport.Kind
# Each kind of export: how its bytes are made, and the file extension they are saved with.
RENDERERS = {
    Kind.PDF: (lambda e: render_pdf(e.series, e.workshop, e.include_appendix), "pdf"),
    Kind.EASY_READ: (lambda e: render_easy_read_pdf(e.series, e.workshop), "pdf"),
    Kind.DOCX: (lambda e: render_docx(e.series, e.workshop, e.include_appendix), "docx"),
    Kind.CONTRIBUTIONS_CSV: (lambda e: write_csv(Tables(e.series, e.workshop).comments()), "csv"),
    Kind.VOTES_CSV: (
        lambda e: write_csv(Tables(e.series, e.workshop).participants_votes()),
        "csv",
    ),
    Kind.XLSX: (lambda e: write_xlsx(Tables(e.series, e.workshop)), "xlsx"),
    Kind.POLIS: (lambda e: write_polis_zip(PolisTables(e.series, e.workshop)), "zip"),
}


def render_export(export):
    """The bytes of an export and the file extension they are saved with."""
    render, extension = RENDERERS[export.kind]
    return render(export), extension
