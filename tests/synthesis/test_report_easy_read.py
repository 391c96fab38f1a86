"""The Easy Read version of the report: the main messages first, large type, tagged like
the full report, and saying the same as it."""

import io

import pikepdf
import pytest
from django.db import transaction
from pypdf import PdfReader

from demo import seed as demo
from synthesis.easy_read import easy_read_context
from synthesis.exports import render_easy_read_pdf
from synthesis.report import report_context
from tests.factories import make_workshop

pytestmark = pytest.mark.django_db

SMALLEST_PT = 16


@pytest.fixture(scope="module")
def easy_read(django_db_setup, django_db_blocker):
    """The demo series' Easy Read PDF and the contexts it was made from; rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        series = demo.seed().series
        pdf = render_easy_read_pdf(series)
        context, full = easy_read_context(series), report_context(series)
        transaction.set_rollback(True)
    return pdf, context, full


def text_sizes(pdf):
    """(text, size in points) of every piece of text drawn on every page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), round(abs(size * (tm[3] or 1) * (cm[3] or 1)), 1)))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return found


def headings(pdf):
    """The tagged headings in reading order, as (role, text)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        found = []

        def walk(node):
            if isinstance(node, pikepdf.Array):
                for kid in node:
                    walk(kid)
            elif isinstance(node, pikepdf.Dictionary):
                role = str(node.get("/S", ""))
                if role in ("/H1", "/H2", "/H3"):
                    found.append(role)
                if "/K" in node:
                    walk(node.K)

        walk(document.Root.StructTreeRoot.K)
        return found


def test_every_piece_of_text_is_at_least_16_points(easy_read):
    pdf, _, _ = easy_read
    sizes = text_sizes(pdf)
    assert len(sizes) > 50
    assert min(size for _, size in sizes) >= SMALLEST_PT, sorted(sizes, key=lambda s: s[1])[:3]


def test_the_main_messages_come_first_in_the_findings_easy_read_words(easy_read):
    pdf, context, _ = easy_read
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "This is the Easy Read version of the report." in pages[0]
    assert pages[1].index("The main messages") < pages[1].index("About the workshops")
    assert context["messages"] and all(message for message in context["messages"])
    flat = " ".join(" ".join(pages).split())
    for message in context["messages"]:
        assert message in flat


def test_it_is_tagged_like_the_full_report(easy_read):
    pdf, _, _ = easy_read
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "en-GB"
        assert document.Root.MarkInfo.Marked
        assert "/StructTreeRoot" in document.Root
    roles = headings(pdf)
    assert roles[0] == "/H1" and roles.count("/H1") == 1
    assert roles.count("/H2") >= 5  # messages, about, two pillars, words, next


def test_it_says_what_the_full_report_says(easy_read):
    """The counts come from the same overview; the placeholder recommendation never shows."""
    _, context, full = easy_read
    common_ground = {rec: counts[0] for rec, counts in full["overview"]["classes"]}
    for _, recommendations in context["easy_read_pillars"]:
        for rec in recommendations:
            assert not rec.recommendation.needs_completion
            n = common_ground[rec.recommendation]
            if n:
                said = "1 idea." if n == 1 else f"{n} ideas."
                assert f"Every group agreed with {said}" in rec.sentences


def test_an_empty_workshop_gets_a_short_easy_read_that_says_so():
    workshop = make_workshop(title="Empty workshop")
    pages = PdfReader(io.BytesIO(render_easy_read_pdf(workshop.series, workshop))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Nobody wrote any ideas yet." in text
    assert "The main messages are not written in Easy Read yet." in text


def test_what_someone_said_is_a_post_never_a_themes_title(easy_read):
    _, context, full = easy_read
    posts = {
        item.text
        for section in full["pillars"]
        for rec in section["recommendations"]
        for item in rec["items"]
        if item.kind == "contribution"
    }
    examples = [rec.example for _, recs in context["easy_read_pillars"] for rec in recs]
    assert any(examples)
    assert {example for example in examples if example} <= posts


def test_every_recommendation_people_spoke_to_gets_a_sentence(easy_read):
    _, context, _ = easy_read
    recs = [rec for _, recs in context["easy_read_pillars"] for rec in recs]
    assert recs and all(rec.sentences for rec in recs)
