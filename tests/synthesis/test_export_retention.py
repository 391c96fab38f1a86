"""Exports die with the data they hold: erasure and purge delete every export whose scope held
it, a final version keeps only its record, exports expire, and links cannot be guessed."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from participants.services import participant_erase
from synthesis import retention, tasks
from synthesis.models import ReportExport, ReportVersion
from synthesis.services import workshop_purge
from tests.factories import ContributionFactory, ParticipantFactory, make_workshop
from workshops.models import Workshop
from workshops.services import workshop_set_status

pytestmark = pytest.mark.django_db

WORDS = b"Sam's words, as the export held them"


def stored_export(series, workshop=None, kind=ReportExport.Kind.CONTRIBUTIONS_CSV):
    export = ReportExport.objects.create(
        series=series, workshop=workshop, kind=kind, fingerprint="x", status="done"
    )
    export.file.save(f"export-{export.pk}.csv", ContentFile(WORDS))
    return export


def final_version(series):
    version = ReportVersion.objects.create(
        series=series,
        number=1,
        fingerprint="x",
        contributions=1,
        votes=0,
        unconfirmed=0,
        finalised=timezone.now(),
    )
    version.file.save("report-1.pdf", ContentFile(WORDS))
    version.easy_read_file.save("easy-read-1.pdf", ContentFile(WORDS))
    return version


@pytest.fixture
def scene():
    """Two workshops of one series and a workshop of another, each with exports."""
    here = make_workshop()
    beside = make_workshop(series=here.series, title="Beside it")
    elsewhere = make_workshop(title="Elsewhere")
    person = ParticipantFactory(workshop=here)
    ContributionFactory(workshop=here, participant=person, text="My son Sam waited two years.")
    exports = {
        "workshop": stored_export(here.series, here),
        "series": stored_export(here.series),
        "series pdf": stored_export(here.series, kind=ReportExport.Kind.PDF),
        "beside": stored_export(here.series, beside),
        "elsewhere": stored_export(elsewhere.series),
    }
    return here, person, exports, final_version(here.series)


def files_exist(export):
    return export.file.storage.exists(export.file.name)


def assert_forgotten(exports, version, because):
    for name in ("workshop", "series", "series pdf"):
        assert not ReportExport.objects.filter(pk=exports[name].pk).exists(), name
        assert not files_exist(exports[name]), name
    for name in ("beside", "elsewhere"):
        assert ReportExport.objects.filter(pk=exports[name].pk).exists(), name
        assert files_exist(exports[name]), name
    old_file = version.file
    version.refresh_from_db()
    assert not version.file and not version.easy_read_file
    assert version.files_deleted and version.files_deleted_because == because
    assert not old_file.storage.exists(old_file.name)


def test_erasing_a_participant_deletes_every_export_that_held_their_words(
    scene, facilitator, django_capture_on_commit_callbacks
):
    here, person, exports, version = scene
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(participant=person, by=facilitator)
    assert_forgotten(exports, version, retention.ERASED)


def test_purging_a_workshop_deletes_every_export_that_held_its_data(
    scene, django_capture_on_commit_callbacks
):
    here, _, exports, version = scene
    workshop_set_status(workshop=here, status=Workshop.Status.CLOSED)
    with django_capture_on_commit_callbacks(execute=True):
        workshop_purge(workshop=here)
    assert_forgotten(exports, version, retention.PURGED)


def test_a_final_version_without_its_files_is_a_record_and_its_link_answers_404(
    scene, analyst, client, facilitator, django_capture_on_commit_callbacks
):
    here, person, _, version = scene
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(participant=person, by=facilitator)
    client.force_login(analyst)
    url = reverse("synthesis:report_version_file", args=[here.series_id, version.number])
    assert client.get(url).status_code == 404
    page = client.get(reverse("synthesis:report_versions", args=[here.series_id]))
    assert "Its PDFs were deleted on" in page.content.decode()
    assert "Version 1" in page.content.decode()


def test_exports_expire_after_the_retention_period(
    scene, settings, django_capture_on_commit_callbacks
):
    _, _, exports, _ = scene
    settings.EXPORT_RETENTION_DAYS = 30
    old = exports["beside"]
    ReportExport.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.expire_exports()
    assert not ReportExport.objects.filter(pk=old.pk).exists()
    assert not files_exist(old)
    assert ReportExport.objects.count() == len(exports) - 1


def test_an_export_erased_while_it_was_being_built_leaves_no_file(scene, monkeypatch, settings):
    """The build finds its row gone when it comes to save: its file goes too."""
    here, _, _, _ = scene
    export = ReportExport.objects.create(
        series=here.series, kind=ReportExport.Kind.CONTRIBUTIONS_CSV, fingerprint="y"
    )

    def erased_meanwhile(export):
        ReportExport.objects.filter(pk=export.pk).delete()
        return WORDS, "csv"

    monkeypatch.setattr(tasks, "render_export", erased_meanwhile)
    before = set((settings.MEDIA_ROOT / "exports").iterdir())
    tasks.build_export(export.pk)
    assert not ReportExport.objects.filter(pk=export.pk).exists()
    assert set((settings.MEDIA_ROOT / "exports").iterdir()) == before


def test_download_links_cannot_be_guessed_from_a_count(scene, analyst, client):
    _, _, exports, _ = scene
    client.force_login(analyst)
    export = exports["beside"]
    assert len(export.token) >= 40 and str(export.pk) != export.token
    url = reverse("synthesis:export_download", args=[export.token])
    assert client.get(url).status_code == 200
    by_number = reverse("synthesis:export_download", args=[str(export.pk)])
    assert client.get(by_number).status_code == 404
