import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from synthesis.docx_report import report_html
from synthesis.exports import render_export
from synthesis.management.scope import add_organisation_option, series_or_refuse, workshop_or_refuse
from synthesis.models import ReportExport

Kind = ReportExport.Kind
# The report as the analysts' pages show it: one HTML file, its styles inside it.
HTML = "html"


class Command(BaseCommand):
    help = (
        "Build a report or data export of a series (or one of its workshops) now, the same "
        "way the exports page does, and write it to a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("series", type=int, metavar="SERIES_ID")
        add_organisation_option(parser)
        parser.add_argument(
            "--format",
            dest="kind",
            required=True,
            # From the model, so a new kind of export is offered here as soon as it exists.
            # "easy-read" and "easy_read" alike, as people type either.
            type=lambda typed: typed.replace("-", "_"),
            choices=[*Kind.values, HTML],
            help="; ".join(
                [f"{kind.value.replace('_', '-')}: {kind.label}" for kind in Kind]
                + [f"{HTML}: Report (web page)"]
            ),
        )
        parser.add_argument("--workshop", type=int, metavar="ID", help="Only this workshop.")
        parser.add_argument(
            "--appendix", action="store_true", help="Add every contribution (PDF only)."
        )
        parser.add_argument("--out", required=True, metavar="FILE", type=Path)

    def handle(self, *args, series, organisation, kind, workshop, appendix, out, **options):
        if appendix and kind not in (Kind.PDF, HTML):
            raise CommandError("--appendix goes with --format pdf or html only.")
        series = series_or_refuse(series, organisation)
        workshop = workshop_or_refuse(series, workshop) if workshop else None
        _check_writable(out)
        if kind == HTML:
            content = report_html(series, workshop, include_appendix=appendix).encode()
            what = f"the report of {workshop or series} as a web page"
        else:
            export = ReportExport(
                kind=kind, include_appendix=appendix, series=series, workshop=workshop
            )
            content, _ = render_export(export)
            what = str(export)
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Could not write {out}: {error.strerror}.") from error
        self.stdout.write(f"Wrote {out} ({len(content):,} bytes): {what}.")


def _check_writable(path):
    """Refuse a path that cannot be written before spending seconds building the export."""
    folder = path.parent
    if path.is_dir():
        raise CommandError(f"{path} is a folder: give a file name inside it.")
    if not folder.is_dir():
        raise CommandError(f"The folder {folder} does not exist.")
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise CommandError(f"Cannot write to {path}: permission denied.")
