"""The Excel export: a README sheet an analyst can work from, and tables ready to filter."""

import io
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from demo import seed as demo
from synthesis.exports import CLASS_MEANINGS, POST_COLUMN, Tables, write_xlsx
from synthesis.selectors import thresholds
from synthesis.stats import Verdict
from tests.factories import ContributionFactory, ParticipantFactory, VoteFactory, make_workshop

pytestmark = pytest.mark.django_db

TABLES = ("comments", "participants-votes")
TEXTS = {
    "dash": "- more speech therapists",
    "formula": "=1+1",
    "plus": "+ a key worker for every family",
    "error": "#N/A",
}


@pytest.fixture
def workshop():
    """A workshop with a post for each text, each voted on by someone else."""
    workshop = make_workshop(title="Leeds workshop", region="Yorkshire")
    author, voter = ParticipantFactory.create_batch(2, workshop=workshop)
    for text in TEXTS.values():
        VoteFactory(
            contribution=ContributionFactory(participant=author, text=text), participant=voter
        )
    return workshop


def workbook_of(series, workshop=None):
    return load_workbook(io.BytesIO(write_xlsx(Tables(series, workshop))))


def rows(sheet):
    return [list(row) for row in sheet.values]


def section(readme, title):
    """The rows under a README heading, up to the next blank row."""
    lines = rows(readme)
    start = next(n for n, row in enumerate(lines) if row[0] == title) + 1
    end = next((n for n in range(start, len(lines)) if lines[n][0] is None), len(lines))
    return [tuple(cell for cell in row if cell is not None) for row in lines[start:end]]


def readme_scope(workbook):
    return next(row[1] for row in rows(workbook["README"]) if row[0] == "Scope")


def by_column(sheet):
    header, *body = rows(sheet)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_readme_comes_first_and_names_the_series_scope_and_date(workshop):
    before = timezone.localtime().replace(tzinfo=None, microsecond=0)
    workbook = workbook_of(workshop.series, workshop)
    assert workbook.sheetnames == ["README", *TABLES]
    readme = {row[0]: row[1] for row in rows(workbook["README"]) if row[0]}
    assert readme["Contributions and votes"] == workshop.series.name
    assert readme["Scope"] == "Leeds workshop"
    assert isinstance(readme["Exported"], datetime)
    assert readme["Exported"] >= before
    assert readme_scope(workbook_of(workshop.series)) == "The whole series"
    assert workbook["README"].column_dimensions["B"].width == 60  # wide enough to read


def test_readme_prints_the_thresholds_in_force(workshop, settings):
    settings.SYNTHESIS_THRESHOLDS = {**settings.SYNTHESIS_THRESHOLDS, "confidence": 0.9}
    printed = section(workbook_of(workshop.series)["README"], "Thresholds in force")
    assert printed == list(thresholds().as_rows())
    assert ("Confidence needed to say most of a group agrees (or disagrees)", "90%") in printed


def test_readme_defines_every_class_in_plain_words(workshop):
    defined = dict(section(workbook_of(workshop.series)["README"], "Classes"))
    assert defined == {verdict.label: CLASS_MEANINGS[verdict] for verdict in Verdict}


def test_readme_describes_every_column_of_every_sheet():
    """On the demo series, whose groups, posts and votes are all realistic."""
    series = demo.seed().series
    workbook = workbook_of(series)
    described = {(sheet, column) for sheet, column, _ in section(workbook["README"], "Sheet")}
    for title in TABLES:
        header = rows(workbook[title])[0]
        named = [column for column in header if isinstance(column, str)]
        assert {(title, column) for column in named} <= described, title
        assert len(set(named)) == len(named)
    post_ids = [column for column in rows(workbook["participants-votes"])[0] if column not in named]
    assert post_ids and all(isinstance(column, int) for column in post_ids)
    assert ("participants-votes", POST_COLUMN[0]) in described


def test_tables_have_a_frozen_header_row_and_a_filter_over_every_cell(workshop):
    workbook = workbook_of(workshop.series)
    for title in TABLES:
        sheet = workbook[title]
        assert sheet.freeze_panes == "A2", title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}" + (
            str(sheet.max_row)
        ), title
    assert workbook["comments"].max_row == 1 + len(TEXTS)


def test_dates_are_real_dates_in_uk_time(workshop):
    sheet = workbook_of(workshop.series)["comments"]
    header = [cell.value for cell in sheet[1]]
    created = {
        post.pk: timezone.localtime(post.created).replace(tzinfo=None)
        for post in workshop.contributions.all()
    }
    for row in sheet.iter_rows(min_row=2):
        cell = row[header.index("datetime")]
        assert cell.is_date and cell.number_format != "General"
        expected = created[row[header.index("comment-id")].value]
        # Excel keeps milliseconds, not microseconds.
        assert abs(cell.value - expected).total_seconds() < 0.001


def test_text_is_kept_word_for_word_and_never_run(workshop):
    sheet = workbook_of(workshop.series)["comments"]
    header = [cell.value for cell in sheet[1]]
    bodies = {row[header.index("comment-body")].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(bodies) == set(TEXTS.values())
    for text, row in bodies.items():
        cell = row[header.index("comment-body")]
        assert cell.data_type == "s", text  # a string cell: "=1+1" is not a formula
        # Excel's own mark for typed text that starts like a formula, so it stays text when
        # edited; ordinary text has none.
        assert cell.quotePrefix == (text != TEXTS["error"]), text
    everything = [
        cell
        for title in TABLES
        for row in workbook_of(workshop.series)[title].iter_rows()
        for cell in row
    ]
    assert not [cell.coordinate for cell in everything if cell.data_type == "f"]


def test_recommendations_have_their_titles(workshop):
    post = workshop.contributions.first()
    (row, *_) = [
        r for r in by_column(workbook_of(workshop.series)["comments"]) if r["comment-id"] == post.pk
    ]
    recommendation = post.prompt.recommendation
    assert (row["recommendation"], row["recommendation-title"]) == (
        recommendation.number,
        recommendation.title,
    )


def test_votes_sheet_is_as_before_with_numbers_as_numbers(workshop):
    votes = by_column(workbook_of(workshop.series)["participants-votes"])
    assert len(votes) == 1  # the one voter
    (voter,) = votes
    assert (voter["n-votes"], voter["n-agree"], voter["group-id"]) == (
        len(TEXTS),
        len(TEXTS),
        "pcf",
    )
    post_ids = [column for column in voter if isinstance(column, int)]
    assert {voter[pk] for pk in post_ids} == {1}
