"""The speed-ups to WeasyPrint and pydyf draw the same report, faster (synthesis.pdf_speedups)."""

import gc
import io

import pikepdf
import pydyf
import pytest
from django.template import Context, Template
from pypdf import PdfReader

from synthesis import pdf_speedups
from synthesis.exports import tagged_pdf
from synthesis.report import reads_right_to_left


def svg_page(*texts):
    body = "".join(texts)
    return (
        '<!doctype html><html lang="en-GB"><head><title>Chart</title></head><body>'
        f'<svg viewBox="0 0 100 40" width="100%" role="img"><title>Chart</title>{body}</svg>'
        "</body></html>"
    )


def text_runs(pdf_bytes):
    """Text-showing operators on the first page, its form XObjects included."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return _runs(pdf.pages[0])


def _runs(content):
    runs = sum(
        str(operator) in ("Tj", "TJ") for _, operator in pikepdf.parse_content_stream(content)
    )
    resources = content.get("/Resources") or {}
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            runs += _runs(xobject)
    return runs


def test_a_text_with_one_position_is_drawn_as_one_run():
    pdf = tagged_pdf(svg_page('<text x="2" y="10" font-size="4">Parent carer forum</text>'))
    assert text_runs(pdf) == 1
    assert "Parent carer forum" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_anchored_text_is_still_one_run():
    pdf = tagged_pdf(svg_page('<text x="90" y="10" text-anchor="end">◀ disagree</text>'))
    assert text_runs(pdf) == 1


def test_a_position_per_character_is_kept():
    pdf = tagged_pdf(
        svg_page(
            '<text x="2 12 22" y="10">abc</text>',
            '<text x="2" y="20" rotate="10">de</text>',
            '<text x="2" y="30" letter-spacing="2">fg</text>',
        )
    )
    assert text_runs(pdf) == 3 + 2 + 2


def test_page_references_follow_pages_added_after_they_were_read():
    pdf_speedups.apply()
    pdf = pydyf.PDF()
    first = pydyf.Dictionary({"Type": "/Page"})
    pdf.add_page(first)
    assert pdf.page_references == (f"{first.number} 0 R".encode(),)
    assert pdf.page_references is pdf.page_references  # kept, not rebuilt
    second = pydyf.Dictionary({"Type": "/Page"})
    pdf.add_page(second)
    assert pdf.page_references[1] == f"{second.number} 0 R".encode()


def test_applying_twice_patches_once():
    pdf_speedups.apply()
    patched = pydyf.PDF.page_references
    pdf_speedups.apply()
    assert pydyf.PDF.page_references is patched


def test_people_s_words_name_their_direction_only_when_right_to_left():
    # HTML's dir="auto" looks at the first strongly directional character, and so does this.
    assert reads_right_to_left("نحتاج إلى دعم أفضل")
    assert reads_right_to_left("2025: צריך עזרה")  # digits are not strong
    assert not reads_right_to_left("We need help, نحتاج")
    assert not reads_right_to_left("“…” 123")
    paragraphs = "".join(f"<p{{{{ {name}|direction }}}}></p>" for name in "abc")
    rendered = Template("{% load rich_text %}" + paragraphs)
    html = rendered.render(Context({"a": "نحتاج إلى دعم", "b": "Support", "c": None}))
    assert html == '<p dir="rtl"></p><p></p><p></p>'


def test_the_collector_is_paused_while_rendering_and_left_as_it_was():
    assert gc.isenabled()
    with pdf_speedups.rendering():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf_speedups.rendering():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_render_that_fails_still_restarts_the_collector():
    with pytest.raises(ValueError), pdf_speedups.rendering():
        raise ValueError("layout failed")
    assert gc.isenabled()
