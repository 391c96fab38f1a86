"""The report's charts can be read, and its PDF's structure passes PDF/UA's table, artifact
and caption rules: header cells have a scope, header ids resolve, page numbers are artifacts,
captions sit in their figures, and each item's numbers reach a screen reader once.

The demo series is seeded and rendered once for the module, as in test_report_pdf.py.
"""

import colorsys
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pikepdf
import pytest
from django.db import transaction
from django.template.loader import render_to_string

from demo import seed as demo
from participants.models import Vote
from synthesis.exports import render_pdf
from synthesis.pdfua import make_accessible
from synthesis.report import report_context
from synthesis.selectors import thresholds
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
TEMPLATES = Path(__file__).resolve().parents[2] / "synthesis/templates/synthesis/report"
CHOICES = {"A": Vote.Choice.AGREE, "D": Vote.Choice.DISAGREE}
NUMBERS = re.compile(r"\d+ of \d+ agree|too few to judge")


@pytest.fixture(scope="module")
def demo_pdf(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        series = demo.seed().series
        pdf = render_pdf(series)
        html = render_to_string("synthesis/report/report.html", report_context(series))
        transaction.set_rollback(True)
    return SimpleNamespace(pdf=pikepdf.open(io.BytesIO(pdf)), html=html, title=series.name)


def elements(pdf):
    """(element, parent) for every element reachable from the structure tree's root."""
    found, stack = [], [(kid, None) for kid in pdf.Root.StructTreeRoot.K.as_list()]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append((node, parent))
            kids = node.get("/K", pikepdf.Array())
            kids = kids.as_list() if isinstance(kids, pikepdf.Array) else [kids]
            stack += [(kid, node) for kid in kids]
    return found


def with_role(pdf, role):
    return [(node, parent) for node, parent in elements(pdf) if str(node.S) == role]


def charts(html):
    """Each agreement chart's SVG, parsed (in HTML an <svg> needs no xmlns; XML does)."""
    return [
        ET.fromstring(svg.replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
        for svg in re.findall(r'<svg class="agreement-chart".*?</svg>', html, re.DOTALL)
    ]


# PDF/UA structure


def test_every_header_cell_has_a_scope(demo_pdf):
    """A header opening a body row heads the row (the thresholds table); others a column."""
    scopes = [node.A.Scope for node, _ in with_role(demo_pdf.pdf, "/TH")]
    assert scopes
    assert set(scopes) == {pikepdf.Name.Column, pikepdf.Name.Row}
    for node, row in with_role(demo_pdf.pdf, "/TH"):
        cells = row.K.as_list()
        is_row_header = cells[0] == node and any(c.S == "/TD" for c in cells)
        assert (node.A.Scope == pikepdf.Name.Row) == (is_row_header and row.P.S != "/THead")


def test_header_ids_resolve(demo_pdf):
    """Every id a cell names as its header is in the tree's /IDTree, and is a /TH."""
    names = demo_pdf.pdf.Root.StructTreeRoot.IDTree.Names
    ids = {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}
    cells = [node for node, _ in elements(demo_pdf.pdf) if "/Headers" in node.get("/A", {})]
    assert cells
    for cell in cells:
        for header in cell.A.Headers:
            assert ids[bytes(header)].S == "/TH"


def marked_content(page):
    """(properties, operator names inside it) for each marked-content sequence of a page."""
    sequences, stack = [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            stack.append((list(operands), []))
        elif name == "EMC":
            sequences.append(stack.pop())
        elif stack:
            stack[-1][1].append(name)
    return sequences


def test_page_numbers_are_artifacts(demo_pdf):
    """The footer, "Draft — not yet reviewed · Page n of N" (on the cover the draft mark
    alone), is printed as a pagination artifact on every page, and every piece of marked
    content left belongs to an element that is in the tree."""
    pdf = demo_pdf.pdf
    reachable = {node.objgen for node, _ in elements(pdf)}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    by_page = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages):
        sequences = marked_content(page)
        pagination = [
            ops
            for props, ops in sequences
            if props[0] == "/Artifact" and len(props) > 1 and props[1].get("/Type") == "/Pagination"
        ]
        assert len(pagination) == 1, number
        assert all("TJ" in ops or "Tj" in ops for ops in pagination)
        entries = by_page[int(page.obj.StructParents)]
        for props, _ in sequences:
            if len(props) > 1 and "/MCID" in props[1]:
                assert entries[int(props[1].MCID)].objgen in reachable


def test_captions_sit_in_their_table_or_figure(demo_pdf):
    captions = with_role(demo_pdf.pdf, "/Caption")
    assert captions
    assert {str(parent.S) for _, parent in captions} <= {"/Table", "/Figure"}


def test_language_title_and_pdfua_mark_are_kept(demo_pdf):
    pdf = demo_pdf.pdf
    assert pdf.Root.Lang == "en-GB"
    assert str(pdf.docinfo.Title) == demo_pdf.title
    with pdf.open_metadata() as meta:
        assert meta["pdfuaid:part"] == "1"


FIGURE_HTML = """<!doctype html><html lang="en-GB"><head><title>Figures</title></head><body>
<figure><svg viewBox="0 0 10 10" width="40"><title>Two bars</title>
<rect width="5" height="5"/></svg><figcaption>What the bars show</figcaption></figure>
<svg viewBox="0 0 10 10" width="40" aria-hidden="true"><rect width="5" height="5"/></svg>
<p>Words</p></body></html>"""


def test_figcaption_goes_into_its_figure_and_a_figure_without_alt_is_decoration():
    from weasyprint import HTML

    raw = HTML(string=FIGURE_HTML).write_pdf(pdf_variant="pdf/ua-1")
    pdf = pikepdf.open(io.BytesIO(make_accessible(raw)))
    figures = with_role(pdf, "/Figure")
    assert [str(figure.Alt) for figure, _ in figures] == ["Two bars"]
    (caption, holder), *_ = with_role(pdf, "/Caption")
    assert holder == figures[0][0]
    artifacts = [p for p, _ in marked_content(pdf.pages[0]) if p[0] == "/Artifact"]
    assert any(len(p) > 1 and p[1].get("/Type") == "/Layout" for p in artifacts)


# The charts


def test_each_items_numbers_are_read_once(demo_pdf):
    """An item's counts are in its chart's single <title>, and nowhere else in the item: the
    words beside the chart name stances only, and the chart has no legend of its own. An
    item not yet tested has no chart (its bars would all be empty): its counts are words."""
    items = re.findall(r'<div class="item">.*?</div>', demo_pdf.html, re.DOTALL)
    untested = [item for item in items if "Votes so far: " in item]
    assert untested and len(untested) < len(items)
    for item in items:
        outside = re.sub(r"<svg.*?</svg>", "", item, flags=re.DOTALL)
        if item in untested:
            assert not charts(item)
            outside = outside.replace(re.search(r"Votes so far: [^<]*", item)[0], "")
        assert not NUMBERS.search(outside)
        for chart in charts(item):
            assert chart.get("role") == "img"
            assert len(chart.findall(f"{SVG}title")) == 1
            assert chart.find(f"{SVG}desc") is None


def test_label_bar_and_numbers_share_a_row(demo_pdf):
    """Per row: the label and the numbers on one baseline, the bars level with them."""
    for chart in charts(demo_pdf.html)[:10]:
        texts = [t for t in chart.findall(f"{SVG}text") if t.get("text-anchor") != "middle"]
        rows = {}
        for text in texts[2:]:  # after the axis labels
            rows.setdefault(text.get("y"), []).append(text.text)
        assert all(len(pair) == 2 for pair in rows.values()), rows
        bars = [r for r in chart.findall(f"{SVG}rect") if r.get("class")]
        tops = {round(float(y) - 3.5, 3) for y in rows}
        assert {round(float(bar.get("y")), 3) for bar in bars} <= tops


def small_chart():
    """A post with a clear view from parents and education, and 2 young people's votes."""
    workshop = make_workshop()
    author = ParticipantFactory(workshop=workshop, group=stakeholder_group("health"))
    post = ContributionFactory(workshop=workshop, participant=author, text="Fund the early years")
    for slug, choices in (("pcf", "AAAD"), ("education", "DDDA"), ("young_person", "AA")):
        for choice in choices:
            voter = ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
            VoteFactory(contribution=post, participant=voter, choice=CHOICES[choice])
    html = render_to_string("synthesis/report/report.html", report_context(workshop.series))
    return charts(html)[0]


def test_a_group_with_too_few_votes_draws_no_bar():
    """Young people's 2 votes (under the threshold) get an empty grey outline and words,
    never a filled bar; judged groups get bars either side of the axis."""
    assert thresholds().min_group_votes > 2
    chart = small_chart()
    rows = {}
    for text in chart.findall(f"{SVG}text"):
        rows.setdefault(text.get("y"), []).append(text.text)
    young_y = next(y for y, words in rows.items() if "Young person" in words)
    assert "2 votes — too few to judge" in rows[young_y]
    level = [
        r
        for r in chart.findall(f"{SVG}rect")
        if abs(float(r.get("y")) + 3.5 - float(young_y)) < 0.01
    ]
    assert [r.get("class") for r in level] == ["too-few"]
    assert level[0].get("fill") == "#ffffff"
    axis = float(chart.find(f"{SVG}line[@stroke='#1b1b1b']").get("x1"))
    for bar in chart.findall(f"{SVG}rect[@class='agree']"):
        assert float(bar.get("x")) == axis
    for bar in chart.findall(f"{SVG}rect[@class='disagree']"):
        assert float(bar.get("x")) + float(bar.get("width")) == pytest.approx(axis)
        assert bar.get("fill") == "#b35806"


def test_a_fifty_percent_mark_either_side():
    chart = small_chart()
    marks = [t for t in chart.findall(f"{SVG}text") if t.text == "50%"]
    axis = float(chart.find(f"{SVG}line[@stroke='#1b1b1b']").get("x1"))
    offsets = sorted(float(m.get("x")) - axis for m in marks)
    assert len(offsets) == 2 and offsets[0] == -offsets[1]


def hue(colour):
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_agree_and_disagree_are_blue_and_orange_not_red_and_green():
    """Told apart by position as well, but the colours alone must not rest on telling red
    from green."""
    chart = small_chart()
    agree = chart.find(f"{SVG}rect[@class='agree']").get("fill")
    disagree = chart.find(f"{SVG}rect[@class='disagree']").get("fill")
    assert 200 <= hue(agree) <= 250  # blue
    assert 15 <= hue(disagree) <= 45  # orange
    style = (TEMPLATES / "report.html").read_text()
    rules = "\n".join(line for line in style.splitlines() if ".chart" in line)
    for colour in re.findall(r"#[0-9a-fA-F]{6}\b", rules):
        assert not (90 <= hue(colour) <= 150 or hue(colour) <= 10 or hue(colour) >= 345)


def test_the_opinion_map_is_a_figure_described_in_words(demo_pdf):
    """The live workshop's map is tagged as a figure whose alternative text says what it
    shows; the table beside it gives its numbers."""
    alts = [str(node.Alt) for node, _ in with_role(demo_pdf.pdf, "/Figure") if "/Alt" in node]
    assert any(alt.startswith("Opinion map: 46 people as dots") for alt in alts)
    captions = [
        caption
        for caption, parent in with_role(demo_pdf.pdf, "/Caption")
        if str(parent.S) == "/Table"
    ]
    assert captions
