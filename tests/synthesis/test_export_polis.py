"""The Pol.is export: Polis's own comments.csv and participants-votes.csv, column for column,
zipped the way Polis hands over a conversation's data."""

import csv
import io
import zipfile

import pytest

from demo import seed as demo
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from synthesis.exports import PolisTables, write_polis_zip
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)
from tests.synthesis.test_exports import POLIS_COMMENTS, POLIS_VOTES

pytestmark = pytest.mark.django_db

HIDDEN_TEXT = "Words a moderator took down"
PENDING_TEXT = "Words never approved"


@pytest.fixture
def scene():
    """Four people in one workshop: an author, two voters, one who only watched; a visible
    post, a hidden one, a merged one and one waiting for approval."""
    workshop = make_workshop(title="Leeds")
    author, agreer, disagreer, watcher = (
        ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
        for slug in ("pcf", "education", "health", "young_person")
    )
    posts = {
        "visible": ContributionFactory(participant=author, text="- more speech therapists"),
        "hidden": ContributionFactory(participant=author, text=HIDDEN_TEXT, state="hidden"),
        "merged": ContributionFactory(participant=agreer, text="Said again", state="merged"),
        "pending": ContributionFactory(participant=author, text=PENDING_TEXT, state="pending"),
    }
    for post in posts.values():
        VoteFactory(contribution=post, participant=agreer, choice=Vote.Choice.AGREE)
        VoteFactory(contribution=post, participant=disagreer, choice=Vote.Choice.DISAGREE)
    VoteFactory(contribution=posts["visible"], participant=author)  # her own: left out
    people = {"author": author, "agreer": agreer, "disagreer": disagreer, "watcher": watcher}
    return workshop, people, posts


def unzip(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def read(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def files_of(series, workshop=None):
    return unzip(write_polis_zip(PolisTables(series, workshop)))


def test_the_zip_holds_polis_files_with_exactly_polis_columns(scene):
    workshop, _, posts = scene
    files = files_of(workshop.series)
    assert set(files) == {"comments.csv", "participants-votes.csv", "groups.csv"}
    comments, votes = read(files["comments.csv"]), read(files["participants-votes.csv"])
    assert comments[0] == POLIS_COMMENTS
    ids = sorted(str(post.pk) for post in posts.values())
    assert votes[0] == [*POLIS_VOTES, *ids]
    for name in ("comments.csv", "participants-votes.csv"):
        # Plain UTF-8 with LF line ends, as Polis writes: no byte-order mark, no CR.
        assert files[name].startswith(b"timestamp" if name == "comments.csv" else b"participant")
        assert b"\r" not in files[name]


def test_every_post_is_listed_with_its_moderation_as_polis_marks_it(scene):
    workshop, people, posts = scene
    rows = {
        row["comment-id"]: row for row in as_dicts(read(files_of(workshop.series)["comments.csv"]))
    }
    moderated = {key: rows[str(post.pk)]["moderated"] for key, post in posts.items()}
    assert moderated == {"visible": "1", "hidden": "-1", "merged": "-1", "pending": "0"}
    visible = rows[str(posts["visible"].pk)]
    # Text that starts like a formula is still shown as text in a spreadsheet.
    assert visible["comment-body"] == "'- more speech therapists"
    # Only approved, visible words leave; a moderated row keeps its number and votes.
    assert {
        rows[str(posts[key].pk)]["comment-body"] for key in ("hidden", "merged", "pending")
    } == {""}
    blob = b"".join(files_of(workshop.series).values()).decode()
    assert HIDDEN_TEXT not in blob and PENDING_TEXT not in blob and "Said again" not in blob
    assert (visible["agrees"], visible["disagrees"]) == ("1", "1")  # not the author's own
    assert rows[str(posts["merged"].pk)]["agrees"] == "0"  # the agreer wrote it


def test_comment_times_are_polis_unix_seconds_and_date_strings(scene):
    workshop, _, posts = scene
    (row, *_) = as_dicts(read(files_of(workshop.series)["comments.csv"]))
    post = Contribution.objects.get(pk=row["comment-id"])
    assert row["timestamp"] == str(int(post.created.timestamp()))
    assert row["datetime"] == post.created.strftime(
        "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)"
    )


def test_every_participant_has_a_row_with_an_integer_group_id(scene):
    workshop, people, posts = scene
    files = files_of(workshop.series)
    rows = as_dicts(read(files["participants-votes.csv"]))
    number = {p.pk: n for n, p in enumerate(Participant.objects.order_by("pk"), 1)}
    assert [row["participant"] for row in rows] == [str(n) for n in number.values()]
    groups = {row["group"]: int(row["group-id"]) for row in as_dicts(read(files["groups.csv"]))}
    assert list(groups) == list(StakeholderGroup.objects.values_list("name", flat=True))
    assert sorted(groups.values()) == list(range(len(groups)))  # 0, 1, 2 … as Polis numbers
    by_person = {row["participant"]: row for row in rows}
    for person in people.values():
        assert by_person[str(number[person.pk])]["group-id"] == str(groups[person.group.name])


def test_votes_rows_count_what_each_person_did(scene):
    workshop, people, posts = scene
    rows = as_dicts(read(files_of(workshop.series)["participants-votes.csv"]))
    number = {p.pk: str(n) for n, p in enumerate(Participant.objects.order_by("pk"), 1)}
    row = {
        key: next(r for r in rows if r["participant"] == number[p.pk]) for key, p in people.items()
    }
    counts = ("n-comments", "n-votes", "n-agree", "n-disagree")
    assert [row["author"][c] for c in counts] == ["3", "0", "0", "0"]  # her own left out
    assert [row["agreer"][c] for c in counts] == ["1", "3", "3", "0"]
    assert [row["disagreer"][c] for c in counts] == ["0", "4", "0", "4"]
    assert [row["watcher"][c] for c in counts] == ["0", "0", "0", "0"]
    ids = [str(post.pk) for post in posts.values()]
    assert {row["watcher"][pk] for pk in ids} == {""}
    assert {row["disagreer"][pk] for pk in ids} == {"-1"}
    assert row["author"][str(posts["visible"].pk)] == ""


def test_a_workshop_export_holds_that_workshop_only(scene):
    workshop, _, posts = scene
    other = make_workshop(series=workshop.series, title="York")
    VoteFactory(contribution__participant__workshop=other, participant__workshop=other)
    files = files_of(workshop.series, workshop)
    comments = as_dicts(read(files["comments.csv"]))
    assert {row["comment-id"] for row in comments} == {str(p.pk) for p in posts.values()}
    assert len(as_dicts(read(files["participants-votes.csv"]))) == 4
    assert len(as_dicts(read(files_of(workshop.series)["participants-votes.csv"]))) == 4 + 2


def test_the_demo_series_exports_everyone_and_every_post():
    series = demo.seed().series
    files = files_of(series)
    comments = as_dicts(read(files["comments.csv"]))
    votes = read(files["participants-votes.csv"])
    assert len(comments) == Contribution.objects.filter(workshop__series=series).count()
    assert len(votes) - 1 == Participant.objects.filter(workshop__series=series).count()
    assert votes[0][len(POLIS_VOTES) :] == [row["comment-id"] for row in comments]
    assert all(row[1].isdigit() for row in votes[1:])
    cells = {cell for row in votes[1:] for cell in row[len(POLIS_VOTES) :]}
    assert cells <= {"1", "-1", "0", ""}
    total = sum(int(row[POLIS_VOTES.index("n-votes")]) for row in votes[1:])
    assert total == sum(int(row["agrees"]) + int(row["disagrees"]) for row in comments) + sum(
        row[len(POLIS_VOTES) :].count("0") for row in votes[1:]
    )
