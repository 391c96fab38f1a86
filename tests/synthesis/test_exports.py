"""Data exports (Polis-style tables as CSV and XLSX), the export service and its task, and
the exports pages.

Tasks run eagerly here in both CI passes (tests/conftest.py), so a task queued on commit
runs in the test; a real worker is exercised in test_export_worker.py.
"""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from participants import services as participant_services
from participants import tokens
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from pillars.models import Recommendation
from synthesis import exports, services, tasks
from synthesis.exports import Tables, neutralise, write_csv, write_xlsx
from synthesis.models import ReportExport
from synthesis.services import export_request, export_retry, theme_create
from synthesis.stats import Verdict
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    SeriesFactory,
    UserFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)
from tests.helpers import is_fragment, populate

pytestmark = pytest.mark.django_db

POLIS_COMMENTS = [
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
]
POLIS_VOTES = ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
# Display names no export could contain by accident.
NAMES = {
    "ann": "Quillonbert Aardvane",
    "ben": "Zephyrine Mottleworth",
    "cat": "Xanthippa Grobwick",
    "dan": "Ottoline Vexbury",
    "eve": "Brunhilda Snorkelfax",
    "fay": "Gwendolyn Pumpernickle",
}
FORMULAS = {
    "ann": '=HYPERLINK("http://evil.example","click me")',
    "ben": "+1 for more funding in the early years",
    "cat": "-2 is how many psychologists we have",
    "dan": "@SUM(A1:A9) is not a thing people say",
}
HIDDEN_TEXT = "Hidden words the moderator took down"
PENDING_TEXT = "Pending words never approved"


@pytest.fixture
def scene():
    """A series of two workshops: six named participants, four visible posts that start
    like formulas, a plain one, a hidden one, one never approved, and votes (including an
    author's vote on their own post and a vote on the hidden post)."""
    # Someone in another series first, so database ids and pseudonyms differ.
    ParticipantFactory.create_batch(len(NAMES) + 1, workshop=make_workshop())
    series = SeriesFactory()
    north = make_workshop(series=series, title="North workshop", region="North West")
    south = make_workshop(series=series, title="South workshop", region="South West")
    groups = {
        "ann": "pcf",
        "ben": "education",
        "cat": "health",
        "dan": "local_government",
        "eve": "young_person",
        "fay": "other",
    }
    people = {
        key: ParticipantFactory(
            workshop=north if key in ("ann", "ben", "cat", "dan") else south,
            group=stakeholder_group(slug),
            display_name=NAMES[key],
        )
        for key, slug in groups.items()
    }
    posts = {
        key: ContributionFactory(participant=people[key], text=text)
        for key, text in FORMULAS.items()
    }
    posts["plain"] = ContributionFactory(participant=people["ann"], text="Plain early years words")
    posts["tab"] = ContributionFactory(participant=people["eve"], text="\tTabbed start")
    posts["hidden"] = ContributionFactory(
        participant=people["ben"], text=HIDDEN_TEXT, state=Contribution.State.HIDDEN
    )
    posts["pending"] = ContributionFactory(
        participant=people["cat"], text=PENDING_TEXT, state=Contribution.State.PENDING
    )
    agree, disagree, passes = Vote.Choice.AGREE, Vote.Choice.DISAGREE, Vote.Choice.PASS
    for voter, post, choice in [
        ("ben", "ann", agree),
        ("cat", "ann", disagree),
        ("dan", "ann", passes),
        ("ann", "ann", agree),  # the author's own vote: never counted or exported
        ("ann", "ben", disagree),
        ("cat", "ben", agree),
        ("cat", "hidden", agree),  # on a hidden post: left out
        ("dan", "pending", agree),  # on a post never approved: left out
        ("fay", "tab", agree),
    ]:
        VoteFactory(participant=people[voter], contribution=posts[post], choice=choice)
    return series, north, people, posts


def pseudonyms(series):
    """What the exports promise: 1, 2, 3 … in joining order, over the whole scope."""
    ids = (
        Participant.objects.filter(workshop__series=series)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {pk: n for n, pk in enumerate(ids, 1)}


def read_csv(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


# Tables


def test_comments_table_follows_polis_and_has_one_row_per_visible_post(scene):
    series, _, people, posts = scene
    rows = list(Tables(series).comments())
    header = rows[0]
    assert header[: len(POLIS_COMMENTS)] == POLIS_COMMENTS
    slugs = list(StakeholderGroup.objects.values_list("slug", flat=True))
    for slug in slugs:
        assert [f"{slug}-agrees", f"{slug}-disagrees", f"{slug}-passes"] == [
            column for column in header if column.startswith(f"{slug}-")
        ]
    assert {"passes", "author-group", "workshop", "region", "class"} <= set(header)
    visible = {posts[key].pk for key in ("ann", "ben", "cat", "dan", "plain", "tab")}
    assert len(rows) - 1 == len(visible)
    assert {row[header.index("comment-id")] for row in rows[1:]} == visible
    assert all(row[header.index("moderated")] == 1 for row in rows[1:])


def test_comments_table_counts_votes_by_group_without_the_authors_own(scene, settings):
    settings.REPORT_SMALL_NUMBER = 1  # one person a group: named, and counts shown
    series, _, people, posts = scene
    by_id = {row["comment-id"]: row for row in as_dicts(list(Tables(series).comments()))}
    row = by_id[posts["ann"].pk]
    assert (row["agrees"], row["disagrees"], row["passes"]) == (1, 1, 1)
    assert row["pcf-agrees"] == 0  # the author agreed with herself: not counted
    assert row["education-agrees"] == 1
    assert row["health-disagrees"] == 1
    assert row["local_government-passes"] == 1
    assert row["author-group"] == "Parent carer forum"
    assert row["workshop"] == "North workshop"
    assert row["region"] == "North West"
    assert row["class"] in {verdict.label for verdict in Verdict}
    assert row["suggested-class"] in {verdict.label for verdict in Verdict}
    assert row["comment-body"] == FORMULAS["ann"]  # neutralised only when written out
    assert row["datetime"] == posts["ann"].created  # formatted by each writer
    assert row["recommendation"] == posts["ann"].prompt.recommendation.number
    assert row["recommendation-title"] == posts["ann"].prompt.recommendation.title
    assert row["timestamp"] == int(posts["ann"].created.timestamp())


def test_comments_table_keeps_the_reports_small_numbers_rule(scene, settings):
    """Where the author's group was small in the workshop, the workshop goes unnamed; where
    it is named, a small group's counts are not given (but a count of none is)."""
    settings.REPORT_SMALL_NUMBER = 2
    series, north, people, posts = scene
    ParticipantFactory(workshop=north, group=stakeholder_group("pcf"))  # two parent carers
    rows = as_dicts(list(Tables(series).comments()))
    by_id = {row["comment-id"]: row for row in rows}

    named = by_id[posts["ann"].pk]
    assert (named["workshop"], named["region"]) == ("North workshop", "North West")
    assert named["education-agrees"] == named["health-disagrees"] == "fewer than 2 people"
    assert named["local_government-passes"] == "fewer than 2 people"
    assert named["pcf-agrees"] == 0 and named["education-disagrees"] == 0
    assert (named["agrees"], named["disagrees"]) == (1, 1)  # totals, as the report gives

    unnamed = by_id[posts["ben"].pk]  # the only education person there
    assert (unnamed["workshop"], unnamed["region"]) == ("a regional workshop", "")
    assert (unnamed["pcf-disagrees"], unnamed["health-agrees"]) == (1, 1)
    said = Tables(series).comment_columns()  # the XLSX README sheet's column dictionary
    assert "where fewer than 2 people of the author's group took part" in said["workshop"]
    assert "“fewer than 2 people” where the workshop is named" in said["education-agrees"]


def test_votes_table_follows_polis_with_one_row_per_voter(scene):
    series, _, people, posts = scene
    tables = Tables(series)
    comment_ids = [row[2] for row in list(tables.comments())[1:]]
    rows = list(tables.participants_votes())
    header = rows[0]
    assert header == [*POLIS_VOTES, *comment_ids]
    number = pseudonyms(series)
    voters = {"ann", "ben", "cat", "dan", "fay"}  # eve only posted
    assert [row[0] for row in rows[1:]] == sorted(number[people[p].pk] for p in voters)
    by_person = {row["participant"]: row for row in as_dicts(rows)}

    ann = by_person[number[people["ann"].pk]]
    assert ann["group-id"] == "pcf"
    assert (ann["n-comments"], ann["n-votes"], ann["n-agree"], ann["n-disagree"]) == (2, 1, 0, 1)
    assert ann[posts["ann"].pk] == ""  # her own post: her vote is left out
    assert ann[posts["ben"].pk] == -1

    cat = by_person[number[people["cat"].pk]]
    assert (cat["n-votes"], cat["n-agree"], cat["n-disagree"]) == (2, 1, 1)  # not the hidden
    assert (cat[posts["ann"].pk], cat[posts["ben"].pk], cat[posts["plain"].pk]) == (-1, 1, "")

    dan = by_person[number[people["dan"].pk]]
    assert (dan["n-votes"], dan[posts["ann"].pk]) == (1, 0)  # a pass is 0; pending left out
    assert by_person[number[people["fay"].pk]][posts["tab"].pk] == 1


def test_participants_are_numbered_one_to_n_the_same_in_both_tables(scene):
    series, _, people, posts = scene
    tables = Tables(series)
    comments = as_dicts(list(tables.comments()))
    votes = as_dicts(list(tables.participants_votes()))
    n = len(people)
    numbers = {row["author-id"] for row in comments} | {row["participant"] for row in votes}
    assert numbers <= set(range(1, n + 1))
    assert not numbers & {p.pk for p in people.values()}  # never the database id
    # Ann wrote two posts and voted: one number for her everywhere.
    hers = (posts["ann"].pk, posts["plain"].pk)
    ann = {row["author-id"] for row in comments if row["comment-id"] in hers}
    assert len(ann) == 1
    (ann_number,) = ann
    (ann_row,) = [row for row in votes if row["n-comments"] == 2]
    assert ann_row["participant"] == ann_number
    assert ann_row["group-id"] == "pcf"


def test_pseudonyms_are_the_same_in_every_export_of_the_scope(scene):
    """Someone joining later gets the next number; nobody else's number moves."""
    series, north, people, posts = scene
    before = list(Tables(series).participants_votes())
    late = ParticipantFactory(workshop=north, group=stakeholder_group("health"))
    VoteFactory(participant=late, contribution=posts["plain"], choice=Vote.Choice.AGREE)
    after = list(Tables(series).participants_votes())
    assert after[0] == before[0]
    by_number = {row[0]: row for row in after[1:]}
    for row in before[1:]:
        assert by_number[row[0]][:2] == row[:2]
    assert by_number[len(people) + 1][1] == "health"


def test_no_display_name_or_hidden_text_reaches_any_table(scene):
    series, _, _, _ = scene
    tables = Tables(series)
    blob = repr(list(tables.comments())) + repr(list(tables.participants_votes()))
    workbook = load_workbook(io.BytesIO(write_xlsx(Tables(series))))
    blob += repr([list(sheet.values) for sheet in workbook])
    for name in NAMES.values():
        assert name not in blob
        assert name.split()[1] not in blob
    assert HIDDEN_TEXT not in blob
    assert PENDING_TEXT not in blob


def test_a_workshop_export_holds_that_workshop_only(scene):
    series, north, people, posts = scene
    tables = Tables(series, north)
    comments = as_dicts(list(tables.comments()))
    assert {row["comment-id"] for row in comments} == {
        posts[key].pk for key in ("ann", "ben", "cat", "dan", "plain")
    }
    votes = as_dicts(list(tables.participants_votes()))
    assert len(votes) == 4  # ann, ben, cat, dan: fay voted in the south
    assert {row["participant"] for row in votes} <= {1, 2, 3, 4}


def test_posts_in_a_theme_are_still_exported(scene):
    """A theme pools votes on the board; the data exports still list every visible post."""
    series, _, _, posts = scene
    theme_create(
        series=series,
        title="Early years",
        contribution_ids=[posts["plain"].pk, posts["tab"].pk],
        user=UserFactory(roles=["analyst"]),
    )
    tables = Tables(series)
    comments = as_dicts(list(tables.comments()))
    assert {posts["plain"].pk, posts["tab"].pk} <= {row["comment-id"] for row in comments}
    assert len(comments) == 6
    votes_header = list(tables.participants_votes())[0]
    assert posts["tab"].pk in votes_header


# CSV and XLSX


def test_neutralise():
    for text in ("=1+1", "+1", "-1 or so", "@cmd", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    for value in ("Plain", "", "a=b", -1, 0, 1, None):
        assert neutralise(value) == value


def test_csv_files_have_polis_columns_and_neutralised_cells(scene):
    series, _, people, posts = scene
    tables = Tables(series)
    comments = read_csv(write_csv(tables.comments()))
    assert comments[0][: len(POLIS_COMMENTS)] == POLIS_COMMENTS
    assert len(comments) == 1 + 6
    bodies = {row[2]: row[7] for row in comments[1:]}
    for key, text in FORMULAS.items():
        assert bodies[str(posts[key].pk)] == "'" + text
    assert bodies[str(posts["tab"].pk)] == "'\tTabbed start"
    assert bodies[str(posts["plain"].pk)] == "Plain early years words"

    votes = read_csv(write_csv(tables.participants_votes()))
    assert votes[0][: len(POLIS_VOTES)] == POLIS_VOTES
    assert votes[0][len(POLIS_VOTES) :] == [row[2] for row in comments[1:]]
    assert len(votes) == 1 + 5
    cells = {cell for row in votes[1:] for cell in row[len(POLIS_VOTES) :]}
    assert cells == {"1", "-1", "0", ""}  # numbers are numbers, not neutralised text


def test_csv_starts_with_a_byte_order_mark_for_excel(scene):
    series, *_ = scene
    assert write_csv(Tables(series).comments()).startswith("\ufefftimestamp".encode())


def test_xlsx_has_a_readme_then_both_sheets_with_text_kept_as_text(scene):
    series, _, _, posts = scene
    workbook = load_workbook(io.BytesIO(write_xlsx(Tables(series))))
    assert workbook.sheetnames == ["README", "comments", "participants-votes"]
    comments = list(workbook["comments"].values)
    assert list(comments[0][: len(POLIS_COMMENTS)]) == POLIS_COMMENTS
    assert len(comments) == 1 + 6
    bodies = {row[2]: row[7] for row in comments[1:]}
    for key, text in FORMULAS.items():
        assert bodies[posts[key].pk] == text  # word for word, and never run (below)
    for row in workbook["comments"].iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
    votes = list(workbook["participants-votes"].values)
    assert list(votes[0][: len(POLIS_VOTES)]) == POLIS_VOTES
    assert len(votes) == 1 + 5
    assert {cell for row in votes[1:] for cell in row[len(POLIS_VOTES) :]} == {1, -1, 0, None}


def test_a_large_series_exports_every_row():
    """Five hundred posts and fifteen hundred votes: every one is in the tables."""
    workshop = make_workshop()
    posts = populate(workshop, posts=500, voters_per_post=3)
    tables = Tables(workshop.series)
    assert len(read_csv(write_csv(tables.comments()))) == 1 + len(posts)
    votes = read_csv(write_csv(tables.participants_votes()))
    assert len(votes[0]) == len(POLIS_VOTES) + len(posts)
    assert sum(int(row[3]) for row in votes[1:]) == 3 * len(posts)


# The service and the task


@pytest.fixture
def series(scene):
    return scene[0]


@pytest.fixture
def render_fails(monkeypatch):
    def explode(export):
        raise RuntimeError("the renderer exploded")

    monkeypatch.setattr(tasks, "render_export", explode)


@pytest.mark.parametrize(
    ("kind", "extension", "magic"),
    [
        ("contributions_csv", "csv", "\ufefftimestamp,datetime,comment-id".encode()),
        ("votes_csv", "csv", "\ufeffparticipant,group-id".encode()),
        ("xlsx", "xlsx", b"PK"),
        ("polis", "zip", b"PK"),
        ("pdf", "pdf", b"%PDF-"),
    ],
)
def test_request_queues_an_export_built_after_commit(
    series, analyst, django_capture_on_commit_callbacks, kind, extension, magic
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export, created = export_request(series=series, kind=kind, user=analyst)
        export.refresh_from_db()
        assert created
        assert (export.status, export.progress, export.file.name) == ("queued", 0, "")
        assert export.requested_by == analyst
    assert len(callbacks) == 1
    export.refresh_from_db()
    assert (export.status, export.progress, export.error) == ("done", 100, "")
    assert export.finished is not None
    assert export.file.name.endswith(f"-{kind}-{export.pk}.{extension}")
    with export.file.open("rb") as file:
        assert file.read().startswith(magic)


def test_the_same_request_reuses_the_export_while_nothing_changes(
    series, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = export_request(series=series, kind="votes_csv", user=analyst)
        again, created = export_request(series=series, kind="votes_csv", user=analyst)
    assert (again.pk, created) == (first.pk, False)  # while it was still queued
    ReportExport.objects.filter(pk=first.pk).update(status="running")
    assert export_request(series=series, kind="votes_csv", user=analyst) == (first, False)
    ReportExport.objects.filter(pk=first.pk).update(status="done")
    assert export_request(series=series, kind="votes_csv", user=UserFactory()) == (first, False)
    assert ReportExport.objects.count() == 1


def test_another_kind_or_scope_is_another_export(series, analyst):
    first, _ = export_request(series=series, kind="pdf", user=analyst)
    others = [
        export_request(series=series, kind="xlsx", user=analyst),
        export_request(series=series, kind="pdf", user=analyst, include_appendix=True),
        export_request(series=series, kind="pdf", user=analyst, workshop=series.workshops.first()),
    ]
    assert all(created for _, created in others)
    assert len({first.pk, *(export.pk for export, _ in others)}) == 4


def test_a_new_vote_makes_a_new_export(series, analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = export_request(series=series, kind="votes_csv", user=analyst)
    post = Contribution.objects.filter(workshop__series=series, state="visible").first()
    VoteFactory(contribution=post, participant__workshop=post.workshop)
    with django_capture_on_commit_callbacks(execute=True):
        second, created = export_request(series=series, kind="votes_csv", user=analyst)
    assert created
    assert second.pk != first.pk
    first.refresh_from_db()
    second.refresh_from_db()
    with second.file.open("rb") as new, first.file.open("rb") as old:
        assert len(read_csv(new.read())) == len(read_csv(old.read())) + 1


def test_hiding_a_post_makes_a_new_export_without_it(
    series, analyst, django_capture_on_commit_callbacks
):
    """Moderation changes what an export shows, so the done export is not handed back."""
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = export_request(series=series, kind="contributions_csv", user=analyst)
    post = Contribution.objects.get(workshop__series=series, text=FORMULAS["ben"])
    participant_services.contribution_set_state(contribution=post, state=Contribution.State.HIDDEN)
    with django_capture_on_commit_callbacks(execute=True):
        second, created = export_request(series=series, kind="contributions_csv", user=analyst)
    assert created, "the export made before the post was hidden was reused"
    second.refresh_from_db()
    with second.file.open("rb") as file:
        assert FORMULAS["ben"] not in file.read().decode("utf-8-sig")


def test_bad_requests_are_refused(series, analyst):
    with pytest.raises(ValidationError):
        export_request(series=series, kind="odt", user=analyst)
    with pytest.raises(ValidationError):
        export_request(series=series, kind="pdf", user=analyst, workshop=make_workshop())
    assert not ReportExport.objects.exists()


def test_a_failed_export_records_why_and_can_be_retried(
    series, analyst, django_capture_on_commit_callbacks, monkeypatch, render_fails
):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(series=series, kind="xlsx", user=analyst)
    export.refresh_from_db()
    assert (export.status, export.progress, export.file.name) == ("failed", 0, "")
    assert "RuntimeError: the renderer exploded" in export.error
    assert export.finished is not None

    # A failed export is not reused: asking again makes a new one.
    again, created = export_request(series=series, kind="xlsx", user=analyst)
    assert created and again.pk != export.pk
    again.delete()

    monkeypatch.setattr(tasks, "render_export", exports.render_export)  # works again
    with django_capture_on_commit_callbacks(execute=True):
        export_retry(export=export)
        export.refresh_from_db()
        assert (export.status, export.error, export.finished) == ("queued", "", None)
    export.refresh_from_db()
    assert (export.status, export.progress, export.error) == ("done", 100, "")
    assert export.file.name.endswith(".xlsx")


@pytest.mark.parametrize("status", ["queued", "running", "done"])
def test_only_a_failed_export_can_be_retried(series, analyst, status):
    export, _ = export_request(series=series, kind="xlsx", user=analyst)
    ReportExport.objects.filter(pk=export.pk).update(status=status)
    export.refresh_from_db()
    with pytest.raises(ValidationError):
        export_retry(export=export)
    export.refresh_from_db()
    assert export.status == status


def test_task_leaves_a_done_export_alone(series, analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(series=series, kind="votes_csv", user=analyst)
    export.refresh_from_db()
    name = export.file.name
    tasks.build_export(export.pk)
    tasks.build_export(export.pk + 1000)  # gone: nothing to do
    export.refresh_from_db()
    assert (export.status, export.file.name) == ("done", name)


# Pages


def exports_url(series):
    return reverse("synthesis:exports", args=[series.pk])


def status_url(export):
    return reverse("synthesis:export_status", args=[export.token])


def download_url(export):
    return reverse("synthesis:export_download", args=[export.token])


def retry_url(export):
    return reverse("synthesis:export_retry", args=[export.token])


def assert_refused(response):
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403


@pytest.fixture
def done_export(series, analyst, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(series=series, kind="contributions_csv", user=analyst)
    export.refresh_from_db()
    return export


def test_analyst_requests_an_export_and_sees_it_listed(
    client, analyst, series, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    page = client.get(exports_url(series))
    assert page.status_code == 200
    assert "No exports yet" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(exports_url(series), {"kind": "votes_csv", "workshop": ""})
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response.url == f"{exports_url(series)}#export-{export.pk}"
    assert (export.kind, export.workshop, export.requested_by) == ("votes_csv", None, analyst)
    page = client.get(response.url).content.decode()
    assert f'id="export-{export.pk}"' in page
    assert download_url(export) in page
    assert "Export queued." in page


def test_the_page_offers_every_kind_with_a_hint_and_builds_the_polis_zip(
    client, analyst, series, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    html = client.get(exports_url(series)).content.decode()
    for kind in ReportExport.Kind:
        assert f'<option value="{kind.value}">{kind.label}</option>' in html
    assert 'aria-describedby="id_kind_helptext"' in html
    assert "comments.csv and participants-votes.csv laid out exactly as Pol.is" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(exports_url(series), {"kind": "polis", "workshop": ""})
    export = ReportExport.objects.get()
    assert (export.kind, export.status) == ("polis", "done")
    assert export.file.name.endswith(f"-polis-{export.pk}.zip")


def test_a_second_identical_request_from_the_page_reuses_it(client, analyst, done_export):
    client.force_login(analyst)
    response = client.post(
        exports_url(done_export.series), {"kind": "contributions_csv", "workshop": ""}
    )
    assert response.url.endswith(f"#export-{done_export.pk}")
    assert ReportExport.objects.count() == 1
    assert "Nothing has changed" in client.get(response.url).content.decode()


def test_an_invalid_request_is_shown_again(client, analyst, series):
    client.force_login(analyst)
    other = make_workshop()
    assert client.post(exports_url(series), {"kind": "odt"}).status_code == 400
    response = client.post(exports_url(series), {"kind": "pdf", "workshop": other.pk})
    assert response.status_code == 400
    assert not ReportExport.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "participant", "facilitator"])
def test_only_analysts_may_request_exports(
    client, series, facilitator, participant, who, django_capture_on_commit_callbacks
):
    if who == "facilitator":
        client.force_login(facilitator)
    elif who == "participant":
        client.cookies[tokens.cookie_name(participant.workshop)] = tokens.make_token(participant)
    assert_refused(client.get(exports_url(series)))
    with django_capture_on_commit_callbacks(execute=True):
        assert_refused(client.post(exports_url(series), {"kind": "pdf", "workshop": ""}))
    assert not ReportExport.objects.exists()


def test_status_fragment_polls_while_unfinished(client, analyst, series):
    export, _ = export_request(series=series, kind="pdf", user=analyst)  # not committed: queued
    client.force_login(analyst)
    for status, progress in (("queued", 0), ("running", 40)):
        ReportExport.objects.filter(pk=export.pk).update(status=status, progress=progress)
        response = client.get(status_url(export))
        html = response.content.decode()
        assert response.status_code == 200
        assert is_fragment(response)
        assert f'hx-get="{status_url(export)}"' in html
        assert 'hx-trigger="every 1s"' in html
        assert 'hx-swap="outerHTML"' in html
        assert f'<progress id="progress-{export.pk}" max="100" value="{progress}">' in html
        assert download_url(export) not in html


def test_status_fragment_offers_the_download_when_done(client, analyst, done_export):
    client.force_login(analyst)
    html = client.get(status_url(done_export)).content.decode()
    assert "hx-trigger" not in html
    assert "<progress" not in html
    assert f'href="{download_url(done_export)}"' in html


def test_status_fragment_shows_the_error_and_a_retry_when_failed(
    client, analyst, series, django_capture_on_commit_callbacks, render_fails
):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(series=series, kind="xlsx", user=analyst)
    client.force_login(analyst)
    html = client.get(status_url(export)).content.decode()
    assert "hx-trigger" not in html
    assert "RuntimeError: the renderer exploded" in html
    assert f'action="{retry_url(export)}"' in html
    assert download_url(export) not in html


def test_download_gives_the_file_as_an_attachment(client, analyst, done_export):
    client.force_login(analyst)
    response = client.get(download_url(done_export))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"-contributions_csv-{done_export.pk}.csv" in disposition
    body = b"".join(response.streaming_content)
    with done_export.file.open("rb") as file:
        assert body == file.read()
    assert read_csv(body)[0][: len(POLIS_COMMENTS)] == POLIS_COMMENTS


def test_download_of_an_unfinished_export_is_not_found(client, analyst, series):
    export, _ = export_request(series=series, kind="pdf", user=analyst)
    client.force_login(analyst)
    assert client.get(download_url(export)).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "participant", "facilitator"])
def test_others_may_not_see_or_download_or_retry(
    client, done_export, facilitator, participant, who, django_capture_on_commit_callbacks
):
    if who == "facilitator":
        client.force_login(facilitator)
    elif who == "participant":
        client.cookies[tokens.cookie_name(participant.workshop)] = tokens.make_token(participant)
    assert_refused(client.get(status_url(done_export)))
    assert_refused(client.get(download_url(done_export)))
    ReportExport.objects.filter(pk=done_export.pk).update(status="failed", error="Broken")
    with django_capture_on_commit_callbacks(execute=True):
        assert_refused(client.post(retry_url(done_export)))
    done_export.refresh_from_db()
    assert done_export.status == "failed"


def test_analyst_retries_a_failed_export_from_the_page(
    client, analyst, series, django_capture_on_commit_callbacks, monkeypatch, render_fails
):
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(series=series, kind="votes_csv", user=analyst)
    export.refresh_from_db()
    assert export.status == "failed"
    monkeypatch.setattr(tasks, "render_export", exports.render_export)  # works again
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(export))
    assert response.status_code == 302
    assert response.url == f"{exports_url(series)}#export-{export.pk}"
    export.refresh_from_db()
    assert (export.status, export.error) == ("done", "")
    assert export.file


def test_retrying_a_done_export_says_it_cannot(client, analyst, done_export):
    client.force_login(analyst)
    response = client.post(retry_url(done_export), follow=True)
    assert "Only a failed or stuck export can be tried again." in response.content.decode()
    done_export.refresh_from_db()
    assert done_export.status == "done"


def test_a_stuck_export_can_be_tried_again_and_is_not_reused(series, analyst):
    """An export left unfinished long past any real build (its worker died) is not handed
    back to the next request, and can be retried."""
    from django.utils import timezone

    from synthesis.models import ReportExport
    from synthesis.report import data_version

    ReportExport.objects.filter(series=series).delete()
    stuck = ReportExport.objects.create(
        series=series,
        kind="contributions_csv",
        status="running",
        fingerprint=data_version(series),
        requested_by=analyst,
    )
    ReportExport.objects.filter(pk=stuck.pk).update(
        created=timezone.now() - timezone.timedelta(hours=2)
    )
    stuck.refresh_from_db()
    fresh, created = services.export_request(series=series, kind="contributions_csv", user=analyst)
    assert created, (fresh.pk, fresh.status, fresh.created, stuck.pk)
    assert fresh.pk != stuck.pk
    services.export_retry(export=stuck)
    stuck.refresh_from_db()
    assert stuck.status in ("queued", "done")


def test_the_exports_page_warns_of_a_recommendation_still_to_be_completed(client, analyst):
    """Recommendation 8 of the SEND framework is a placeholder: its posts are counted and the
    warning stays until the framework is completed."""
    workshop = make_workshop(open_prompts=0)
    prompt = workshop.prompts.get(recommendation__number=8)
    ContributionFactory(participant__workshop=workshop, prompt=prompt, text="On the eighth")
    client.force_login(analyst)

    page = client.get(exports_url(workshop.series)).content.decode()

    assert "Recommendation 8 is still to be completed in the framework." in page
    assert "its 1 post is left out of them" in page
    Recommendation.objects.filter(number=8).update(needs_completion=False)
    page = client.get(exports_url(workshop.series)).content.decode()
    assert "still to be completed" not in page
