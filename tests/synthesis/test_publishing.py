"""Publishing a final version of a series report, and taking it down: only a final can be
published, one at a time per series; unpublishing takes it off the public page at once; what
the public sees was frozen when the version was made final; those who follow the results are
told once the change is committed, never for one rolled back."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.services import organisation_create
from synthesis import services
from synthesis.models import FindingResponse, ReportVersion
from synthesis.publication import (
    public_results,
    published_version,
    report_version_publish,
    report_version_unpublish,
    results_changed,
)
from synthesis.report import data_version
from tests.events import rolled_back
from tests.factories import (
    FindingFactory,
    FindingResponseFactory,
    ReportVersionFactory,
    UserFactory,
    publish_report,
)
from tests.helpers import new_client

pytestmark = pytest.mark.django_db

TITLE = "Families wait too long for assessments"


@pytest.fixture
def series(db):
    return FindingFactory(title=TITLE).series


@pytest.fixture
def told():
    """Every notice sent to those who follow the results: [(series, what)]."""
    sent = []

    def receiver(sender, series, what, **kwargs):
        sent.append((series, what))

    results_changed.connect(receiver)
    yield sent
    results_changed.disconnect(receiver)


def versions_url(series):
    return reverse("synthesis:report_versions", args=[series.pk])


def publish_url(version):
    return reverse("synthesis:report_version_publish", args=[version.series_id, version.number])


def unpublish_url(version):
    return reverse("synthesis:report_version_unpublish", args=[version.series_id, version.number])


def titles(series):
    return [finding["title"] for finding in public_results(series)["findings"]]


# Services


@pytest.mark.parametrize("status", [ReportVersion.Status.MAKING, ReportVersion.Status.FAILED])
def test_only_a_final_version_can_be_published(series, analyst, status):
    version = ReportVersionFactory(series=series, status=status)
    with pytest.raises(ValidationError, match="Only a final version can be published"):
        report_version_publish(version, user=analyst)
    version.refresh_from_db()
    assert version.published is None and public_results(series) is None


def test_a_published_final_is_what_the_public_page_shows(series, analyst):
    version = ReportVersionFactory(series=series)
    assert public_results(series) is None
    report_version_publish(version, user=analyst)
    version.refresh_from_db()
    assert version.published is not None and version.published_by == analyst
    assert public_results(series)["version"] == version
    assert titles(series) == [TITLE]


def test_publishing_another_version_replaces_the_published_one(series, analyst):
    first = publish_report(series, user=analyst)
    second = ReportVersionFactory(series=series)
    elsewhere = publish_report(FindingFactory().series, user=analyst)
    report_version_publish(second, user=analyst)
    first.refresh_from_db()
    assert first.published is None and first.published_by is None
    assert published_version(series) == second
    assert series.report_versions.filter(published__isnull=False).count() == 1
    assert published_version(elsewhere.series) == elsewhere


def test_unpublishing_takes_the_results_down_at_once(series, analyst):
    version = publish_report(series, user=analyst)
    assert public_results(series) is not None
    report_version_unpublish(version, user=analyst)
    version.refresh_from_db()
    assert version.published is None and version.published_by is None
    assert public_results(series) is None
    actions = AuditEntry.objects.filter(target_type="reportversion").values_list(
        "action", flat=True
    )
    assert list(actions.order_by("pk")) == ["report_published", "report_unpublished"]


def test_unpublishing_is_announced_with_nothing_to_tell_followers(
    series, analyst, told, django_capture_on_commit_callbacks
):
    """Walls showing the results redraw; the empty sentence means no email is due."""
    version = publish_report(series, user=analyst)
    told.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_version_unpublish(version, user=analyst)
    assert told == [(series, "")]


def test_the_public_content_is_frozen_when_the_version_is_made_final(series, analyst):
    """Editing a finding after the final changes the next draft, never the public page;
    responses are not part of the report, so the page shows them as they stand."""
    version = ReportVersionFactory(series=series)
    finding = series.findings.get()
    services.finding_save(
        series=series, finding=finding, title="Renamed in the next draft", body="B", kind="debate"
    )
    report_version_publish(version, user=analyst)
    assert titles(series) == [TITLE]
    FindingResponseFactory(finding=finding, status=FindingResponse.Status.DONE)
    assert [r.status for r in public_results(series)["findings"][0]["responses"]] == ["done"]


def test_a_final_made_before_freezing_existed_is_frozen_when_first_published(series, analyst):
    version = ReportVersionFactory(
        series=series, public_content={}, fingerprint=data_version(series)
    )
    report_version_publish(version, user=analyst)
    version.refresh_from_db()
    assert [finding["title"] for finding in version.public_content["findings"]] == [TITLE]


def test_such_a_final_is_refused_once_the_data_has_changed_since(series, analyst):
    """Freezing it now would show the public today's draft under its number."""
    version = ReportVersionFactory(
        series=series, public_content={}, fingerprint=data_version(series)
    )
    finding = series.findings.get()
    finding.title = "Drafted since"
    finding.save()
    with pytest.raises(ValidationError, match="make a new final version"):
        report_version_publish(version, user=analyst)
    version.refresh_from_db()
    assert version.published is None and version.public_content == {}


def test_followers_are_told_of_a_publication_only_once_it_is_committed(
    series, analyst, told, django_capture_on_commit_callbacks
):
    version = ReportVersionFactory(series=series)
    with django_capture_on_commit_callbacks() as callbacks:
        report_version_publish(version, user=analyst)
    assert told == []
    for callback in callbacks:
        callback()
    assert told == [(series, "The results were published.")]


def test_a_publication_rolled_back_tells_no_one(
    series, analyst, told, django_capture_on_commit_callbacks
):
    version = ReportVersionFactory(series=series)
    with django_capture_on_commit_callbacks(execute=True), rolled_back():
        report_version_publish(version, user=analyst)
    assert told == []
    assert published_version(series) is None


def test_a_response_on_the_public_page_is_told_once_committed(
    series, analyst, told, django_capture_on_commit_callbacks
):
    publish_report(series, user=analyst)
    finding = series.findings.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = FindingResponseFactory.build(finding=finding)
        fields = {name: getattr(response, name) for name in services.RESPONSE_FIELDS}
        services.finding_response_add(finding=finding, user=analyst, **fields)
    assert told == [(series, f"A response to “{TITLE}” was added: Agreed.")]


# The versions page


def test_each_final_version_offers_to_be_published(client, series, analyst):
    ReportVersionFactory.create_batch(2, series=series)
    client.force_login(analyst)
    page = client.get(versions_url(series)).content.decode()
    for number in (1, 2):
        assert f'action="{publish_url(series.report_versions.get(number=number))}"' in page
        assert f"Publish version {number}" in page
    assert "Unpublish" not in page


@pytest.mark.parametrize("status", [ReportVersion.Status.MAKING, ReportVersion.Status.FAILED])
def test_a_version_being_made_or_failed_has_no_publish_button(client, series, analyst, status):
    ReportVersionFactory(series=series)
    attempt = ReportVersionFactory(series=series, status=status)
    client.force_login(analyst)
    page = client.get(versions_url(series)).content.decode()
    assert "Publish version 1" in page
    assert f"Publish version {attempt.number}" not in page
    assert publish_url(attempt) not in page


def test_an_analyst_publishes_a_version_and_sees_where_the_public_reads_it(client, series, analyst):
    first, second = ReportVersionFactory.create_batch(2, series=series)
    client.force_login(analyst)
    response = client.post(publish_url(first))
    assert response.status_code == 302
    assert response.url == versions_url(series) + "#version-1"
    page = client.get(response.url).content.decode()
    assert "Version 1 is published" in page
    address = "http://testserver" + reverse("results", args=[series.results_code])
    assert f'<a href="{address}">{address}</a>' in page
    assert 'class="status-tag">Published</strong> on' in page
    assert unpublish_url(first) in page and publish_url(second) in page
    assert published_version(series) == first


def test_publishing_a_version_that_is_not_final_is_refused_with_a_message(client, series, analyst):
    attempt = ReportVersionFactory(series=series, status=ReportVersion.Status.MAKING)
    client.force_login(analyst)
    response = client.post(publish_url(attempt), follow=True)
    assert "Only a final version can be published" in response.content.decode()
    assert published_version(series) is None


def test_unpublishing_asks_first_then_takes_the_results_down_at_once(client, series, analyst):
    version = publish_report(series, user=analyst)
    client.force_login(analyst)
    confirm = client.get(unpublish_url(version))
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Unpublish version 1?" in html and 'class="button warning"' in html
    assert published_version(series) == version
    response = client.post(unpublish_url(version), follow=True)
    assert "Version 1 is no longer published" in response.content.decode()
    assert public_results(series) is None
    public_page = new_client().get(reverse("results", args=[series.results_code]))
    assert TITLE not in public_page.content.decode()


def test_unpublishing_a_version_that_is_not_published_says_so(client, series, analyst):
    version = ReportVersionFactory(series=series)
    client.force_login(analyst)
    for method in (client.get, client.post):
        response = method(unpublish_url(version), follow=True)
        assert "Version 1 is not published" in response.content.decode()
    assert not AuditEntry.objects.filter(action="report_unpublished").exists()


def test_only_the_series_analysts_may_publish_or_unpublish(client, series, facilitator):
    unpublished = ReportVersionFactory(series=series)
    published = publish_report(series)
    outsider = UserFactory(
        roles=["analyst"], roles__organisation=organisation_create(name="Another council")
    )
    client.force_login(facilitator)
    assert client.post(publish_url(unpublished)).status_code == 403
    assert client.post(unpublish_url(published)).status_code == 403
    client.force_login(outsider)
    assert client.post(publish_url(unpublished)).status_code == 404
    assert client.get(unpublish_url(published)).status_code == 404
    assert client.post(unpublish_url(published)).status_code == 404
    assert published_version(series) == published
