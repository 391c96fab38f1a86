"""`manage.py export_report`: the exports page's exports, built now and written to a file."""

import errno
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from synthesis.exports import render_export
from synthesis.management.commands.export_report import Command
from synthesis.models import ReportExport
from tests.factories import ContributionFactory, VoteFactory, make_workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop():
    workshop = make_workshop(title="Leeds workshop")
    VoteFactory(contribution=ContributionFactory(participant__workshop=workshop))
    return workshop


def export_report(*args):
    out = io.StringIO()
    call_command("export_report", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


PDFS = (ReportExport.Kind.PDF, ReportExport.Kind.EASY_READ)  # dated inside: never the same bytes


@pytest.mark.parametrize("kind", [k for k in ReportExport.Kind.values if k not in PDFS])
def test_writes_the_same_bytes_the_exports_page_builds(workshop, tmp_path, kind):
    out = tmp_path / "export.bin"
    said = export_report(workshop.series_id, "--format", kind, "--out", out)
    content = out.read_bytes()
    export = ReportExport(series=workshop.series, kind=kind)
    if kind in (ReportExport.Kind.POLIS, ReportExport.Kind.DOCX):  # zipped at another second
        with (
            zipfile.ZipFile(out) as made,
            zipfile.ZipFile(io.BytesIO(render_export(export)[0])) as page,
        ):
            assert {n: made.read(n) for n in made.namelist()} == {
                n: page.read(n) for n in page.namelist()
            }
    elif kind != ReportExport.Kind.XLSX:  # the README's export time differs
        assert content == render_export(export)[0]
    assert said == f"Wrote {out} ({len(content):,} bytes): {export}.\n"


def test_writes_a_pdf_of_one_workshop_with_its_appendix(workshop, tmp_path):
    out = tmp_path / "leeds.pdf"
    said = export_report(
        workshop.series_id, "--format", "pdf", "--workshop", workshop.pk, "--appendix", "--out", out
    )
    assert out.read_bytes().startswith(b"%PDF-")
    assert said.startswith(f"Wrote {out} (")
    assert said.strip().endswith("bytes): Report (PDF) of Leeds workshop.")
    assert not ReportExport.objects.exists()  # nothing queued or recorded: a file only


def test_writes_the_easy_read_pdf_as_typed_with_a_hyphen(workshop, tmp_path):
    out = tmp_path / "easy.pdf"
    said = export_report(workshop.series_id, "--format", "easy-read", "--out", out)
    assert out.read_bytes().startswith(b"%PDF-")
    assert said.strip().endswith("bytes): Easy Read report (PDF) of " + str(workshop.series) + ".")


def test_writes_the_report_as_the_analysts_page_shows_it(workshop, tmp_path):
    out = tmp_path / "report.html"
    said = export_report(
        workshop.series_id, "--format", "html", "--workshop", workshop.pk, "--out", out
    )
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "<h1>Leeds workshop: " in page
    assert said.strip().endswith("of Leeds workshop as a web page.")


def test_offers_every_kind_of_export_the_model_has_and_the_web_page():
    parser = Command().create_parser("manage.py", "export_report")
    (action,) = [a for a in parser._actions if "--format" in a.option_strings]
    assert action.choices == [*ReportExport.Kind.values, "html"]
    assert "easy-read: Easy Read report (PDF)" in action.help


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "--format", "csv"], "invalid choice: 'csv'"),
        (["999999", "--format", "votes_csv"], "There is no series 999999."),
        (["{series}", "--format", "xlsx", "--workshop", "999999"], "There is no workshop 999999."),
        (["{series}", "--format", "xlsx", "--workshop", "{other}"], "is not part of series"),
        (["{series}", "--format", "xlsx", "--appendix"], "--appendix goes with --format pdf or"),
        (["{series}", "--format", "easy-read", "--appendix"], "--appendix goes with --format pdf"),
        (["{series}", "--format", "word"], "invalid choice: 'word'"),
    ],
)
def test_refuses_bad_input_clearly(workshop, tmp_path, args, message):
    other = make_workshop()
    values = {"series": workshop.series_id, "other": other.pk}
    out = tmp_path / "export.xlsx"
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        export_report(*[arg.format(**values) for arg in args], "--out", out)
    assert not out.exists()


def test_asks_for_a_format(workshop, tmp_path):
    with pytest.raises(CommandError, match="the following arguments are required: --format"):
        export_report(workshop.series_id, "--out", tmp_path / "x.csv")


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/export.csv", "The folder .*missing does not exist."),
        (".", "is a folder: give a file name inside it."),
    ],
)
def test_refuses_a_path_it_cannot_write(workshop, tmp_path, where, message):
    with pytest.raises(CommandError, match=message):
        export_report(workshop.series_id, "--format", "votes_csv", "--out", tmp_path / where)


def test_refuses_a_file_it_may_not_write(workshop, tmp_path, monkeypatch):
    out = tmp_path / "locked.csv"
    out.write_text("keep me")
    # Checked through os.access, which a test run as root could not otherwise see refuse.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != out)
    with pytest.raises(CommandError, match="Cannot write to .*locked.csv: permission denied."):
        export_report(workshop.series_id, "--format", "votes_csv", "--out", out)
    assert out.read_text() == "keep me"


def test_a_failed_write_is_reported_plainly(workshop, tmp_path, monkeypatch):
    def disk_full(path, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(CommandError, match="Could not write .*: No space left on device."):
        export_report(workshop.series_id, "--format", "votes_csv", "--out", tmp_path / "x.csv")
