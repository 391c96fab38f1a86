"""The report as a Word document and as a page in the browser: the same headings in the same
order as the PDF's outline, real Word headings, lists and tables, and nobody's name.

The demo series is seeded once for the module and its PDF, Word document and page are made
from the same rows, which are then rolled back.
"""

import io
import re
import zipfile
from types import SimpleNamespace

import docx
import lxml.html
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from demo import seed as demo
from synthesis.docx_report import render_docx
from synthesis.exports import render_pdf
from synthesis.models import ReportText
from synthesis.services import export_request
from tests.factories import UserFactory
from tests.helpers import new_client
from tests.synthesis.test_report_pdf import (
    FINDING_TITLE,
    KNOWN_QUOTE,
    SENTINEL_NAME,
    demo_with_a_finding,
    display_names,
    outline_titles,
    workshop_with_posts,
)

pytestmark = pytest.mark.django_db

WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING = re.compile(r"^(Title|TOC Heading|Heading \d)$")


def headings(document):
    return [(p.style.name, p.text) for p in document.paragraphs if HEADING.match(p.style.name)]


def all_text(document):
    cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def page_headings(page):
    return [" ".join(h.text_content().split()) for h in page.xpath("//h1|//h2|//h3|//h4")]


@pytest.fixture(scope="module")
def demo_report(django_db_setup, django_db_blocker):
    """The demo series with a key finding, as a PDF and a Word document with the appendix,
    and as the analysts' page."""
    with django_db_blocker.unblock(), transaction.atomic():
        series = demo_with_a_finding()
        client = new_client()
        client.force_login(User.objects.get(username=demo.ANALYST_USERNAME))
        response = client.get(reverse("synthesis:series_report", args=[series.pk]))
        document = docx.Document(io.BytesIO(render_docx(series, include_appendix=True)))
        report = SimpleNamespace(
            title=series.name,
            document=document,
            outline=outline_titles(PdfReader(io.BytesIO(render_pdf(series, None, True))).outline),
            response=response,
            page=lxml.html.document_fromstring(response.content),
            summary=ReportText.objects.get(series=series).summary,
            names=display_names(series),
        )
        transaction.set_rollback(True)
    return report


# The Word document


def test_headings_are_the_pdf_outline_in_order(demo_report):
    """Every heading of the PDF's outline, and no other, in the same order."""
    texts = [text for _, text in headings(demo_report.document)]
    assert texts == demo_report.outline
    assert FINDING_TITLE in texts and "Appendix: every contribution" in texts


def test_chapters_recommendations_and_body_headings_are_word_headings_1_2_3(demo_report):
    found = headings(demo_report.document)
    assert found[0] == ("Title", demo_report.title)
    assert ("TOC Heading", "Contents") in found
    assert ("Heading 1", "Pillar 1: Support capacity") in found
    assert any(style == "Heading 2" and text.startswith("1. ") for style, text in found)
    assert ("Heading 3", "Common ground") in found
    assert ("Heading 3", "Points of debate") in found


def test_the_contents_are_a_word_field_filled_on_opening(demo_report):
    body = demo_report.document.element.body
    instructions = [e.text for e in body.iter(f"{WORD}instrText")]
    assert any(i.strip().startswith("TOC ") for i in instructions)
    assert demo_report.document.settings.element.find(f"{WORD}updateFields") is not None


def caption_of(table):
    return Paragraph(table._tbl.getprevious(), table._parent).text


def test_every_table_has_a_header_row_repeated_on_each_page(demo_report):
    """All but the thresholds, a list of labelled values with no column headings (as in the
    PDF), whose labels head their rows instead."""
    tables = demo_report.document.tables
    assert len(tables) > 10
    without = [table for table in tables if not table.rows[0]._tr.xpath("w:trPr/w:tblHeader")]
    assert [caption_of(table) for table in without] == ["Thresholds in force"]
    first = tables[0]
    assert [cell.text for cell in first.rows[0].cells] == ["Stakeholder group", "People"]
    assert [cell.text for cell in first.rows[1].cells] == ["Parent carer forum", "22"]


def test_the_markdown_summary_is_paragraphs_and_a_bullet_list(demo_report):
    paragraphs = demo_report.document.paragraphs
    start = next(n for n, p in enumerate(paragraphs) if p.text == "Executive summary")
    end = next(n for n, p in enumerate(paragraphs) if p.text == "Background and purpose")
    styles = [p.style.name for p in paragraphs[start + 1 : end]]
    assert styles.count("List Bullet") >= 2
    assert "Normal" in styles
    assert "- " in demo_report.summary
    text = all_text(demo_report.document)
    assert "**" not in text and "\n- " not in text


def test_no_display_name_appears(demo_report):
    text = all_text(demo_report.document)
    assert SENTINEL_NAME in demo_report.names
    for name in demo_report.names:
        assert not re.search(rf"\b{re.escape(name)}\b", text), name
    assert re.search(re.escape(KNOWN_QUOTE) + r"[^”]*”\n— Parent carer forum", text)


def test_every_chart_is_a_table_of_its_numbers_described_for_screen_readers(demo_report):
    """No image is drawn; any there were would carry alt text (docPr descr)."""
    xml = demo_report.document.element
    pictures = list(
        xml.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
    )
    assert all(picture.get("descr") for picture in pictures)
    descriptions = [e.get(f"{WORD}val") for e in xml.iter(f"{WORD}tblDescription")]
    assert descriptions and all(re.search(r"\d+ of \d+ agree|too few", d) for d in descriptions)


def test_title_author_and_british_english(demo_report):
    document = demo_report.document
    properties = document.core_properties
    assert (properties.title, properties.author) == (demo_report.title, demo.ORGANISATION)
    assert properties.language == "en-GB"
    languages = document.styles.element.xpath("w:docDefaults//w:lang/@w:val")
    assert languages == ["en-GB"]


def test_links_numbered_lists_and_emphasis_from_the_analysts_text():
    workshop = workshop_with_posts("Start earlier")
    ReportText.objects.create(
        series=workshop.series,
        summary="We *heard* **much**; see [the plan](https://example.org/plan).\n\n"
        "1. first\n2. second\n\nThen:\n\n1. again",
    )
    document = docx.Document(io.BytesIO(render_docx(workshop.series, workshop)))
    links = document.part.rels.values()
    assert "https://example.org/plan" in [rel.target_ref for rel in links if rel.is_external]
    runs = {run.text: run for p in document.paragraphs for run in p.runs}
    assert runs["heard"].italic and runs["much"].bold
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["first", "second", "again"]
    number_of = [p._p.pPr.numPr.numId.val for p in numbered]
    assert number_of[0] == number_of[1] != number_of[2]  # the second list starts again at 1


# Built as an export


def is_docx(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"<w:body>" in archive.read("word/document.xml")


def test_the_export_task_builds_a_word_document(django_capture_on_commit_callbacks):
    workshop = workshop_with_posts("Start earlier")
    analyst = UserFactory(roles=["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        export, _ = export_request(series=workshop.series, kind="docx", user=analyst)
    export.refresh_from_db()
    assert (export.status, export.get_kind_display()) == ("done", "Report (Word)")
    assert export.file.name.endswith(".docx")
    with export.file.open("rb") as file:
        assert is_docx(file.read())


def test_the_command_writes_a_word_document(tmp_path):
    workshop = workshop_with_posts("Start earlier")
    out = tmp_path / "report.docx"
    call_command("export_report", workshop.series_id, "--format", "docx", "--out", str(out))
    assert is_docx(out.read_bytes())


# The page in the browser


def test_the_page_shows_the_pdfs_headings(demo_report):
    """Without the appendix, which the page leaves out."""
    assert demo_report.response.status_code == 200
    wanted = demo_report.outline[: demo_report.outline.index("Appendix: every contribution")]
    assert page_headings(demo_report.page) == wanted


def test_the_page_allows_its_own_styles_by_hash_only(demo_report):
    policy = demo_report.response["Content-Security-Policy"]
    style_source = next(part for part in policy.split(";") if "style-src" in part)
    assert "'sha256-" in style_source and "unsafe-inline" not in style_source
    assert "script-src 'self'" in policy


@pytest.mark.parametrize("name", ["synthesis:series_report", "synthesis:workshop_report"])
def test_only_analysts_may_read_the_page(name):
    workshop = workshop_with_posts("Start earlier")
    pk = workshop.series_id if name == "synthesis:series_report" else workshop.pk
    url = reverse(name, args=[pk])
    anonymous = new_client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for role, status in (("facilitator", 403), ("analyst", 200)):
        client = new_client()
        client.force_login(UserFactory(roles=[role]))
        assert client.get(url).status_code == status, role


def test_the_opinion_map_is_described_in_words_beside_its_table(demo_report):
    """Word has no drawing of the map: its description stands in, and the table of clusters
    by group follows with its caption."""
    paragraphs = [p.text for p in demo_report.document.paragraphs]
    assert any(text.startswith("Opinion map: 46 people as dots") for text in paragraphs)
    captions = [caption_of(table) for table in demo_report.document.tables]
    assert "People in each cluster, by declared group" in captions
