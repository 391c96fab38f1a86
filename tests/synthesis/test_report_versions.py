"""Versions of a series report: drafts say so on every page; a final is stored as approved
and never changes; what changed since a final is said in words."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from demo import seed as demo
from participants.models import Participant, Vote
from participants.services import participant_erase
from synthesis.exports import render_easy_read_pdf, render_pdf
from synthesis.models import ReportVersion
from synthesis.selectors import next_report_version
from synthesis.versions import changes_since, report_version_finalise, unconfirmed_items
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)
from tests.helpers import new_client

pytestmark = pytest.mark.django_db

DRAFT_MARK = "Draft — not yet reviewed"


def page_texts(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def series(analyst):
    """A small series with a few voted posts and one final version, made by an analyst."""
    workshop = make_workshop(title="Leeds workshop")
    voters = [
        ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
        for slug in ("pcf", "education", "health")
        for _ in range(3)
    ]
    for text in ("Start in the early years", "Train the workforce"):
        post = ContributionFactory(participant__workshop=workshop, text=text)
        for voter in voters:  # every group agrees: common ground, printed in the body
            VoteFactory(contribution=post, participant=voter, choice="agree")
    report_version_finalise(series=workshop.series, user=analyst)
    return workshop.series


def test_the_report_is_the_draft_of_the_version_after_the_last_final(series):
    version = series.report_versions.get()
    assert version.number == 1 and next_report_version(series) == 2
    pages = page_texts(render_pdf(series))
    assert all(DRAFT_MARK in text for text in pages)
    assert "Version 2, draft of" in pages[0]


def test_the_demo_leaves_one_final_version():
    assert demo.seed().series.report_versions.get().number == 1


def test_a_final_version_has_no_draft_mark_and_says_its_number(series):
    pages = page_texts(series.report_versions.get().file.read())
    assert not any(DRAFT_MARK in text for text in pages)
    assert "Version 1, final" in pages[0]


def test_a_final_version_keeps_its_easy_read_version_too(series):
    pages = page_texts(series.report_versions.get().easy_read_file.read())
    assert not any(DRAFT_MARK in text for text in pages)
    assert "Version 1. This is the final version." in pages[0]
    assert all(DRAFT_MARK in text for text in page_texts(render_easy_read_pdf(series)))


def test_a_final_stays_byte_identical_after_new_votes_and_says_what_changed(series):
    version = series.report_versions.get()
    stored, easy_read = version.file.read(), version.easy_read_file.read()
    assert changes_since(version) == []
    post = series.workshops.get().contributions.first()
    Vote.objects.create(participant=ParticipantFactory(workshop=post.workshop), contribution=post)
    version.refresh_from_db()
    assert version.file.open("rb").read() == stored
    assert version.easy_read_file.open("rb").read() == easy_read
    assert changes_since(version) == ["1 vote more"]


def test_an_erasure_after_a_final_is_named_as_a_change(series):
    version = series.report_versions.get()
    person = Participant.objects.filter(workshop__series=series, votes__isnull=False).first()
    assert person is not None
    participant_erase(participant=person, by=None)
    assert any(change == "1 participant erased" for change in changes_since(version))


def test_making_a_new_final_counts_on_and_keeps_the_old_one(series, analyst):
    ContributionFactory(participant__workshop=series.workshops.first(), text="A late post")
    version = report_version_finalise(series=series, user=analyst)
    assert version.number == 2 and version.finalised_by == analyst
    assert list(series.report_versions.values_list("number", flat=True)) == [2, 1]
    assert version.unconfirmed == len(unconfirmed_items(series))


# The versions page


@pytest.fixture
def page(series, analyst):
    client = new_client()
    client.force_login(analyst)
    return client, reverse("synthesis:report_versions", args=[series.pk])


def test_the_page_lists_the_unconfirmed_classes_before_making_a_final(series, page):
    client, url = page
    html = client.get(url).content.decode()
    assert "Version 2: the draft" in html
    count = len(unconfirmed_items(series))
    assert count and f"{count} item{'s' if count > 1 else ''} printed in the report" in html
    assert "Download version 1 (PDF)" in html


def test_making_a_final_needs_the_reviewed_box_and_saves_nothing_without_it(series, page):
    client, url = page
    response = client.post(url, {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick to confirm you have read the draft before making it final" in html
    assert "<title>Error:" in html
    assert series.report_versions.count() == 1


def test_making_a_final_from_the_page(series, page, django_capture_on_commit_callbacks):
    """The request takes the number at once; the PDFs are made in the background."""
    client, url = page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reviewed": "on"})
    assert response.status_code == 302
    assert "Version 2 is being made final" in client.get(url).content.decode()
    version = ReportVersion.objects.get(series=series, number=2)
    assert version.status == ReportVersion.Status.FINAL and version.finalised
    download = client.get(reverse("synthesis:report_version_file", args=[series.pk, 2]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body == version.file.read()
    assert (
        client.get(reverse("synthesis:report_version_file", args=[series.pk, 9])).status_code == 404
    )
    easy_read = client.get(reverse("synthesis:report_version_easy_read_file", args=[series.pk, 2]))
    assert b"".join(easy_read.streaming_content).startswith(b"%PDF-")


def test_while_a_version_is_being_made_the_page_says_so_and_takes_no_second(series, page):
    client, url = page
    client.post(url, {"reviewed": "on"})  # not committed here: the PDFs are never made
    html = client.get(url).content.decode()
    assert "Version 2 is being made final" in html and 'hx-trigger="every 2s"' in html
    assert "Make version" not in html
    file_url = reverse("synthesis:report_version_file", args=[series.pk, 2])
    assert client.get(file_url).status_code == 404

    response = client.post(url, {"reviewed": "on"})

    assert response.status_code == 400
    assert "A version is already being made final" in response.content.decode()
    assert series.report_versions.count() == 2


def test_a_failed_version_says_why_and_its_number_is_asked_for_again(
    series, page, monkeypatch, django_capture_on_commit_callbacks
):
    client, url = page

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("synthesis.versions.render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reviewed": "on"})
    failed = ReportVersion.objects.get(series=series, number=2)
    assert failed.status == ReportVersion.Status.FAILED and not failed.file
    html = client.get(url).content.decode()
    assert "Version 2 could not be made final. The PDFs could not be made (OSError" in html
    assert "Make version 2 final" in html
    assert next_report_version(series) == 2

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reviewed": "on"})
    assert list(series.report_versions.values_list("number", "status")) == [
        (2, "final"),
        (1, "final"),
    ]


def test_a_stuck_version_can_be_asked_for_again(series, page, django_capture_on_commit_callbacks):
    client, url = page
    client.post(url, {"reviewed": "on"})
    stuck = ReportVersion.objects.get(series=series, number=2)
    ReportVersion.objects.filter(pk=stuck.pk).update(requested=timezone.now() - timedelta(hours=2))
    assert "seems stuck" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reviewed": "on"})

    assert response.status_code == 302
    assert ReportVersion.objects.get(series=series, number=2).status == "final"


def test_a_version_made_before_easy_read_existed_says_it_has_none(series, page):
    client, _ = page
    version = series.report_versions.get()
    version.easy_read_file = ""
    version.save()
    response = client.get(reverse("synthesis:report_version_easy_read_file", args=[series.pk, 1]))
    assert response.status_code == 404
