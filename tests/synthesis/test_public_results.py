"""The public results page of a series, its Easy Read version, its Atom feed and its PDFs:
no sign-in, only a published final ever shown, frozen as it was made final, nothing personal
or staff-only, and taken down at once when unpublished."""

import xml.etree.ElementTree as ElementTree
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from participants.models import Contribution
from participants.services import contribution_edit, participant_erase
from synthesis.models import FindingResponse, ReportVersion
from synthesis.publication import public_content, report_version_unpublish
from synthesis.services import finding_save
from tests.factories import (
    ContributionFactory,
    FindingResponseFactory,
    ParticipantFactory,
    UserFactory,
    VoteFactory,
    make_workshop,
    publish_report,
    stakeholder_group,
)
from tests.helpers import new_client

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NOT_YET = "Results will appear here when the organisers publish them"
QUOTE = "Assessments take far too long for our children"
OTHER_QUOTE = "Schools need training before the new plans start"


@pytest.fixture
def analyst():
    return UserFactory(username="analyst-jane-staff", roles=["analyst"])


@pytest.fixture
def series(analyst):
    """A workshop's voted posts and a key finding quoting two of them; nothing published."""
    workshop = make_workshop(title="Leeds staff-only workshop title")
    author = ParticipantFactory(workshop=workshop, display_name="Jo Bloggs")
    other = ParticipantFactory(workshop=workshop, group=stakeholder_group("education"))
    posts = [
        ContributionFactory(participant=author, text=QUOTE),
        ContributionFactory(participant=other, text=OTHER_QUOTE),
    ]
    for slug in ("pcf", "education", "health"):
        for _ in range(2):
            voter = ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
            for post in posts:
                VoteFactory(contribution=post, participant=voter, choice="agree")
    finding_save(
        series=workshop.series,
        title="Families wait too long for assessments",
        body="Every group said **waiting** is the problem.\n\n<script>alert(1)</script>",
        easy_read="Families wait too long.",
        kind="common_ground",
        contribution_ids=[post.pk for post in posts],
        user=analyst,
    )
    return workshop.series


@pytest.fixture
def finding(series):
    return series.findings.get()


def page(series, name="results"):
    response = new_client().get(reverse(name, args=[series.results_code]))
    assert response.status_code == 200
    return response.content.decode()


def feed(series):
    response = new_client().get(reverse("results_feed", args=[series.results_code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def entries(atom):
    return {
        entry.find(f"{ATOM}id").text: entry.find(f"{ATOM}updated").text
        for entry in atom.findall(f"{ATOM}entry")
    }


def final_version(series, number=1):
    """A final version whose public content is frozen now, not published."""
    return ReportVersion.objects.create(
        series=series,
        number=number,
        fingerprint="final",
        contributions=2,
        votes=12,
        unconfirmed=0,
        finalised=timezone.now(),
        public_content=public_content(series),
    )


def test_before_anything_is_published_the_page_says_so_and_offers_the_feed(series):
    text = page(series)
    assert NOT_YET in text
    feed_url = reverse("results_feed", args=[series.results_code])
    assert '<link rel="alternate" type="application/atom+xml"' in text
    assert f'href="{feed_url}"' in text
    assert "Bookmark this page" in text
    assert NOT_YET in page(series, "results_easy_read")


def test_before_publication_the_feed_is_valid_atom_with_no_entries(series):
    atom = feed(series)
    assert atom.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert atom.find(f"{ATOM}{required}") is not None, required
    assert entries(atom) == {}


def test_a_draft_never_reaches_the_page_nor_the_feed(series):
    """The findings being drafted are not shown while no final is published."""
    for name in ("results", "results_easy_read"):
        text = page(series, name)
        assert "Families wait too long" not in text
        assert QUOTE not in text
    assert entries(feed(series)) == {}


def test_an_unpublished_final_never_reaches_the_page_nor_the_feed(series, finding):
    final_version(series)
    FindingResponseFactory(finding=finding)
    assert "Families wait too long" not in page(series)
    assert entries(feed(series)) == {}


def test_a_published_final_shows_its_findings_quotes_and_figures(series, finding):
    publish_report(series)
    text = page(series)
    assert "Families wait too long for assessments" in text
    assert f"“{QUOTE}”" in text and f"“{OTHER_QUOTE}”" in text
    assert "Parent carer forum" in text and "Education setting" in text
    assert "Evidence: 2 posts" in text
    assert "Published on" in text and NOT_YET not in text


def test_the_body_is_the_safe_markdown_subset(series):
    publish_report(series)
    text = page(series)
    assert "<strong>waiting</strong>" in text
    assert "<script>alert(1)</script>" not in text


def test_unpublishing_takes_the_results_down_at_once(series, finding):
    version = publish_report(series)
    FindingResponseFactory(finding=finding)
    assert "Families wait too long" in page(series)
    report_version_unpublish(version)
    for name in ("results", "results_easy_read"):
        text = page(series, name)
        assert "Families wait too long" not in text and NOT_YET in text
    assert entries(feed(series)) == {}


@pytest.mark.parametrize("name", ["results", "results_easy_read", "results_feed"])
def test_no_browser_or_proxy_keeps_a_copy(series, name):
    """A kept copy would still show results after they were taken down."""
    response = new_client().get(reverse(name, args=[series.results_code]))
    assert "no-store" in response["Cache-Control"]


def test_a_finding_edited_after_the_final_shows_the_frozen_words(series, finding, analyst):
    publish_report(series)
    finding_save(
        series=series,
        finding=finding,
        title="A new draft title nobody approved",
        body="Draft words.",
        easy_read="Draft easy words.",
        kind="debate",
        user=analyst,
    )
    text = page(series)
    assert "Families wait too long for assessments" in text
    assert "A new draft title" not in text and "Draft words." not in text
    assert "Draft easy words." not in page(series, "results_easy_read")


def test_an_erased_posts_quote_is_not_shown(series, analyst):
    publish_report(series)
    author = series.workshops.get().participants.get(display_name="Jo Bloggs")
    participant_erase(participant=author, by=analyst)
    text = page(series)
    assert QUOTE not in text
    assert OTHER_QUOTE in text


def test_a_quote_corrected_since_publishing_is_not_shown_in_its_old_words(series, analyst):
    """A facilitator who takes a name out of a post takes it off the public page too."""
    publish_report(series)
    post = Contribution.objects.get(text=QUOTE)
    contribution_edit(contribution=post, text="Assessments take far too long for Sam", by=analyst)
    text = page(series)
    assert QUOTE not in text and "for Sam" not in text
    assert OTHER_QUOTE in text


def test_responses_show_where_things_stand_then_what_changed_before(series, finding):
    publish_report(series)
    FindingResponseFactory(
        finding=finding,
        status=FindingResponse.Status.CONSIDERING,
        action="We are looking at waiting times.",
        date=date(2025, 1, 10),
    )
    FindingResponseFactory(
        finding=finding,
        status=FindingResponse.Status.NOT_TAKEN_FORWARD,
        action="We will not hire more assessors this year.",
        reason="The budget for this year is already set.",
        responsible="Director of children's services",
        date=date(2025, 3, 2),
    )
    text = page(series)
    stands, before = text.index("Where this stands"), text.index("What changed before")
    latest = text.index("We will not hire more assessors")
    assert stands < latest < before < text.index("We are looking at waiting times.")
    assert "Not taken forward" in text and "Being considered" in text
    assert "2 March 2025" in text and "10 January 2025" in text
    assert "Director of children&#x27;s services" in text
    assert "The budget for this year is already set." in text


def test_a_finding_without_responses_says_none_yet(series):
    publish_report(series)
    assert "have not said yet what they will do" in page(series)


def test_the_overview_is_a_table_whose_cells_say_the_view_in_words(series):
    publish_report(series)
    text = page(series)
    assert '<table class="results-overview">' in text
    assert '<th scope="col">Parent carer forum</th>' in text
    row = series.report_versions.get().public_content["overview"]["rows"][0]
    assert row["cells"][0]["text"] in text


def test_the_easy_read_page_says_it_in_easy_read(series, finding):
    publish_report(series)
    FindingResponseFactory(
        finding=finding,
        status=FindingResponse.Status.IN_PROGRESS,
        easy_read="We are training more people to do assessments.",
    )
    text = page(series, "results_easy_read")
    assert "Families wait too long." in text
    assert "We are doing this now." in text
    assert "We are training more people to do assessments." in text
    assert reverse("results", args=[series.results_code]) in text
    overview = series.report_versions.get().public_content["overview"]
    assert overview["rows"][0]["easy_read"] in text
    assert "easy-read-page" in text


def test_the_easy_read_page_gives_each_groups_view_in_words_or_one_shared_view(series):
    version = publish_report(series)
    rows = version.public_content["overview"]["rows"]
    shades = ["agree-strong", "disagree", "mixed", "agree", "none"]
    rows[0]["cells"] = [{"text": "in numbers", "shade": shade} for shade in shades]
    version.save(update_fields=["public_content"])
    text = page(series, "results_easy_read")
    assert "<strong>Parent carer forum:</strong> Most of them agree." in text
    assert "<strong>Education setting:</strong> More of them disagree than agree." in text
    assert "<strong>Every group:</strong> We cannot say. Not enough of them voted." in text


def test_the_feed_has_the_publication_and_each_response(series, finding):
    version = publish_report(series)
    response = FindingResponseFactory(finding=finding, action="We will publish waiting times.")
    atom = feed(series)
    ids = set(entries(atom))
    base = f"http://testserver{reverse('results', args=[series.results_code])}"
    assert ids == {f"{base}#version-{version.number}", f"{base}#response-{response.pk}"}
    assert "We will publish waiting times." in ElementTree.tostring(atom, encoding="unicode")


def test_a_control_character_pasted_into_a_response_does_not_break_the_feed(series, finding):
    """XML cannot hold it: it is left out of the feed, and the words around it stay."""
    publish_report(series)
    FindingResponseFactory(finding=finding, action="Pasted\x0bfrom a document.")
    assert "Pastedfrom a document." in ElementTree.tostring(feed(series), encoding="unicode")


def test_the_feed_changes_when_a_response_changes(series, finding, monkeypatch):
    publish_report(series)
    response = FindingResponseFactory(finding=finding, action="We will look at it.")
    before = entries(feed(series))
    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response.status, response.action = FindingResponse.Status.DONE, "We have done it."
    response.save()
    atom = feed(series)
    after = entries(atom)
    key = next(key for key in after if key.endswith(f"#response-{response.pk}"))
    assert after[key] != before[key]
    assert after[key].startswith(later.date().isoformat())
    assert atom.find(f"{ATOM}updated").text == after[key]
    assert "We have done it." in ElementTree.tostring(atom, encoding="unicode")


def test_no_staff_only_data_on_the_page_nor_the_feed(series, finding, analyst):
    publish_report(series, user=analyst)
    FindingResponseFactory(finding=finding, created_by=analyst)
    workshop = series.workshops.get()
    texts = [page(series), page(series, "results_easy_read")]
    texts.append(ElementTree.tostring(feed(series), encoding="unicode"))
    for text in texts:
        for secret in (analyst.username, "Jo Bloggs", workshop.join_code, workshop.title):
            assert secret not in text


def test_an_unknown_code_is_a_friendly_not_found(series):
    for path in ("/r/ZZZZZZZ/", "/r/ZZZZZZZ/easy-read/", "/r/ZZZZZZZ/feed/", "/r/%3Cb%3E/"):
        response = new_client().get(path)
        assert response.status_code == 404, path
        assert "We could not find these results" in response.content.decode()


def test_a_lower_case_code_takes_people_to_the_page(series):
    client = new_client()
    typed = f" {series.results_code.lower()[:3]}-{series.results_code.lower()[3:]}"
    response = client.get(reverse("results", args=[typed]))
    assert response.status_code == 302
    assert response["Location"] == reverse("results", args=[series.results_code])
    followed = client.get(f"/r/{series.results_code.lower()}/easy-read/", follow=True)
    assert followed.status_code == 200
    assert series.name in followed.content.decode()


def test_the_pages_take_nothing_but_get(series):
    for name in ("results", "results_easy_read", "results_feed"):
        response = new_client().post(reverse(name, args=[series.results_code]))
        assert response.status_code == 405


def with_files(version):
    version.file.save("results-1.pdf", ContentFile(b"%PDF-1.7 full"), save=False)
    version.easy_read_file.save("results-1-easy-read.pdf", ContentFile(b"%PDF-1.7 easy"))
    return version


def download(series, name):
    return new_client().get(reverse(name, args=[series.results_code]))


def test_the_published_versions_pdfs_are_offered_and_served(series):
    with_files(publish_report(series))
    text = page(series)
    assert reverse("results_file", args=[series.results_code]) in text
    assert reverse("results_easy_read_file", args=[series.results_code]) in text
    assert b"".join(download(series, "results_file").streaming_content) == b"%PDF-1.7 full"
    easy = download(series, "results_easy_read_file")
    assert b"".join(easy.streaming_content) == b"%PDF-1.7 easy"


def test_no_other_versions_pdf_is_ever_served(series):
    """A final that is not published keeps its PDFs to the analysts."""
    with_files(final_version(series))
    assert download(series, "results_file").status_code == 404
    assert download(series, "results_easy_read_file").status_code == 404
    assert reverse("results_file", args=[series.results_code]) not in page(series)
    published = with_files(publish_report(series))
    report_version_unpublish(published)
    assert download(series, "results_file").status_code == 404


def test_pdfs_deleted_after_an_erasure_are_no_longer_offered(
    series, analyst, django_capture_on_commit_callbacks
):
    """They held the erased person's words: the page still shows the results without them."""
    with_files(publish_report(series))
    author = series.workshops.get().participants.get(display_name="Jo Bloggs")
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(participant=author, by=analyst)
    text = page(series)
    assert "Families wait too long for assessments" in text
    assert reverse("results_file", args=[series.results_code]) not in text
    assert reverse("results_easy_read_file", args=[series.results_code]) not in text
    assert download(series, "results_file").status_code == 404
