"""The PDF report: what it says, what it leaves out, and that it is a tagged, titled,
navigable PDF (pdf/ua-1) in British English.

The demo series is seeded and rendered once for the module (a render takes about a second);
the other renders are of small workshops made for one edge case each.
"""

import io
import re
from types import SimpleNamespace

import pytest
import weasyprint
from django.contrib.auth.models import User
from django.db import transaction
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from demo import seed as demo
from participants.models import Contribution, Participant, Vote
from synthesis import exports
from synthesis.exports import render_pdf
from synthesis.report import report_context
from synthesis.services import finding_save
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)

# Every test uses the database, so pytest-django runs them before any transactional test
# (whose flush would leave the module fixture without the migrations' rows).
pytestmark = pytest.mark.django_db

# The demo's first parent carer, renamed to something no report could say by accident.
SENTINEL_NAME = "Quillonbert Aardvane"
KNOWN_QUOTE = "I've spent three years fighting for my son's plan."
HIDDEN_QUOTE = "Diane in the SEN team ignored every email"
PENDING_QUOTE = "Zorblax pending words never approved"
FINDING_TITLE = "Everyone in the system is worn out"
FINDING_BODY = "Parents, staff and officers alike described the toll the system takes."

ARABIC = "نحتاج إلى دعم أفضل في المدارس"
HEBREW = "אנחנו צריכים תמיכה טובה יותר"
LONG_WORD = "Inclusion" + "x" * 291  # 300 characters, no break opportunity
EMOJI_POST = "Brilliant idea 👍🏽 let's do it 🚀"


def pdf_text(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text):
    """Whitespace collapsed, so sentences broken over lines compare whole."""
    return " ".join(text.split())


def outline_titles(outline):
    titles = []
    for entry in outline:
        if isinstance(entry, list):
            titles += outline_titles(entry)
        else:
            titles.append(entry.title)
    return titles


def structure_elements(node, role=None, found=None, depth=0):
    """Every element of the structure tree (with that /S role, if given)."""
    found = [] if found is None else found
    node = node.get_object() if hasattr(node, "get_object") else node
    if depth > 60:
        return found
    if isinstance(node, list):
        for kid in node:
            structure_elements(kid, role, found, depth + 1)
    elif hasattr(node, "get"):
        if "/S" in node and role in (None, node["/S"]):
            found.append(node)
        if "/K" in node:
            structure_elements(node["/K"], role, found, depth + 1)
    return found


def demo_with_a_finding():
    """The demo series, its first parent carer renamed to the sentinel, and a key finding
    citing her post."""
    series = demo.seed().series
    toll = Contribution.objects.get(workshop__series=series, text__startswith=KNOWN_QUOTE)
    Participant.objects.filter(pk=toll.participant_id).update(display_name=SENTINEL_NAME)
    finding_save(
        series=series,
        title=FINDING_TITLE,
        body=FINDING_BODY,
        kind="common_ground",
        contribution_ids=[toll.pk],
        user=User.objects.get(username=demo.ANALYST_USERNAME),
    )
    return series


def display_names(series):
    """Every name a participant of the series gave: none may appear in a report."""
    return set(
        Participant.objects.filter(workshop__series=series)
        .exclude(display_name="")
        .values_list("display_name", flat=True)
    )


@pytest.fixture(scope="module")
def demo_report(django_db_setup, django_db_blocker):
    """The demo series with a key finding and a never-approved post, rendered with its
    appendix; the rows are rolled back once the PDF and what to look for in it are kept."""
    with django_db_blocker.unblock(), transaction.atomic():
        series = demo_with_a_finding()
        national = series.workshops.get(title="National workshop")
        ContributionFactory(
            workshop=national,
            participant=national.participants.first(),
            text=PENDING_QUOTE,
            state=Contribution.State.PENDING,
        )
        context = report_context(series)
        debates = [
            item
            for section in context["pillars"]
            for rec in section["recommendations"]
            for heading in rec["headings"]
            if heading["title"] == "Points of debate"
            for item in heading["items"]
        ]
        under, heard = {}, []
        for section in context["pillars"]:
            for rec in section["recommendations"]:
                for heading in rec["headings"]:
                    under.setdefault(heading["title"], []).extend(heading["items"])
                    if heading["title"] == "Heard, not yet tested":
                        heard.append([i.author_group.slug for i in heading["items"]])
        pdf = render_pdf(series, include_appendix=True)
        report = SimpleNamespace(
            under={
                title: [(i.text, i.author_group.slug if i.author_group else "") for i in items]
                for title, items in under.items()
            },
            rejected=[p.text for p in demo.statement_contributions("ration-plans")],
            heard=heard,
            pdf=pdf,
            reader=PdfReader(io.BytesIO(pdf)),
            text=pdf_text(pdf),
            title=series.name,
            names=display_names(series),
            debate_words=debates[0].who if debates else "",
        )
        transaction.set_rollback(True)
    return report


# The demo series


def test_report_has_its_headings(demo_report):
    """Cover, about, key findings, each pillar with common ground and debate, and method."""
    text = demo_report.text
    for heading in (
        demo_report.title,
        demo.ORGANISATION,
        "About the workshops",
        "Key findings",
        "Pillar 1",
        "Pillar 2",
        "Common ground",
        "Points of debate",
        "Method and limitations",
        "Thresholds in force",
        "Appendix: every contribution",
    ):
        assert heading in text, heading
    assert "19 November 2024 to 4 February 2025" in text
    assert "Regions: National, North West, South West" in text


def test_report_quotes_by_stakeholder_group(demo_report):
    """A known quote is there, attributed to its stakeholder group."""
    text = flat(demo_report.text)
    assert KNOWN_QUOTE in text
    assert re.search(re.escape(KNOWN_QUOTE) + r"[^”]*” — Parent carer forum", text)


def test_key_finding_shows_its_evidence(demo_report):
    text = flat(demo_report.text)
    assert FINDING_TITLE in text
    assert FINDING_BODY in text
    finding_part = text.split(FINDING_TITLE, 1)[1].split("Pillar 1", 1)[0]
    assert KNOWN_QUOTE in finding_part


def test_points_of_debate_say_who_holds_which_view(demo_report):
    """One sentence per debate: 'Parent carer forum agrees; Education setting, … disagree'."""
    text = flat(demo_report.text)
    assert " agree" in demo_report.debate_words and " disagree" in demo_report.debate_words
    assert flat(demo_report.debate_words) in text
    # The addendum's debate on sequencing: parent carers against the services.
    assert re.search(r"Parent carer forum agrees; [\w ,]+ disagrees?\b", text)


def test_about_has_the_chart_with_its_numbers_as_text(demo_report):
    """The chart's text alternative is a table of the same numbers."""
    text = flat(demo_report.text)
    assert "3 workshops and 84 participants" in text
    assert "Who took part, by stakeholder group" in text
    assert "Stakeholder group People Parent carer forum 22" in text
    assert "Who took part, by region" in text


def test_the_opinion_map_shares_one_page_with_its_table_and_sentences(demo_report):
    """The live workshop's map: who is split and who clusters together, the drawing and the
    table of clusters by group, on one page; "other" has too few people to be counted."""
    page = next(
        flat(page.extract_text())
        for page in demo_report.reader.pages
        if "People in each cluster" in page.extract_text()
    )
    assert "Who votes alike" in page and "National workshop" in page
    assert re.search(r"Parent carer forum split: 10 in cluster [AB], 4 in cluster [AB]\.", page)
    assert re.search(
        r"Cluster [AB] brings together Local government \(8 of 8\), Health service \(6 of 7\)"
        r" and Education setting \(7 of 9\)",
        page,
    )
    assert "fewer than 5 people" in page


def test_method_counts_what_moderation_left_out(demo_report):
    text = flat(demo_report.text)
    assert "Left out by moderation: 1 hidden, 1 never approved" in text
    assert re.search(r"\d+ votes from \d+ participants, on \d+ items", text)


def test_no_display_name_appears(demo_report):
    """Participants' names never reach the report, not even the quoted author's."""
    assert SENTINEL_NAME in demo_report.names
    assert len(demo_report.names) > 30
    for name in demo_report.names:
        assert not re.search(rf"\b{re.escape(name)}\b", demo_report.text), name


def test_hidden_and_unapproved_posts_are_left_out(demo_report):
    """Not in the findings, not in the pillars and not in the appendix."""
    text = flat(demo_report.text)
    assert HIDDEN_QUOTE not in text
    assert "Diane" not in text
    assert PENDING_QUOTE not in text
    assert "Zorblax" not in text


def test_pdf_is_tagged_in_british_english_with_a_title(demo_report):
    reader = demo_report.reader
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata.title == demo_report.title
    roles = {str(element["/S"]) for element in structure_elements(catalog["/StructTreeRoot"])}
    assert {"/H1", "/H2", "/H3", "/H4", "/P", "/BlockQuote", "/Table", "/Figure"} <= roles


def test_every_chart_has_alternative_text(demo_report):
    """pdf/ua-1 wants a /Alt on every Figure; WeasyPrint takes it from the SVG's <title>."""
    figures = structure_elements(demo_report.reader.trailer["/Root"]["/StructTreeRoot"], "/Figure")
    assert figures
    untitled = [figure for figure in figures if not str(figure.get("/Alt", "")).strip()]
    assert not untitled, f"{len(untitled)} of {len(figures)} figures have no /Alt"


def test_pdf_has_an_outline_from_its_headings(demo_report):
    titles = outline_titles(demo_report.reader.outline)
    assert titles[0] == demo_report.title
    for heading in ("About the workshops", "Key findings", "Method and limitations"):
        assert heading in titles
    assert any(title.startswith("Pillar 1") for title in titles)
    assert FINDING_TITLE in titles


# Edge cases


def test_empty_workshop_gives_a_short_report_that_says_so():
    """A workshop nobody posted in, in a series where another workshop has posts."""
    empty = make_workshop(title="Quiet workshop")
    ContributionFactory(
        participant__workshop=make_workshop(series=empty.series, title="Busy workshop"),
        text="Somewhere else entirely",
    )
    pdf = render_pdf(empty.series, empty)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = flat(pdf_text(pdf))
    assert "No contributions were recorded for this workshop" in text
    assert "Somewhere else entirely" not in text
    assert "Busy workshop" not in text
    assert "Quiet workshop" in text
    assert len(reader.pages) <= 6
    assert "Appendix" not in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


class RecordingHTML(HTML):
    """WeasyPrint's HTML, keeping the laid-out document so its boxes can be measured."""

    documents = []

    def render(self, *args, **kwargs):
        document = super().render(*args, **kwargs)
        RecordingHTML.documents.append(document)
        return document


@pytest.fixture
def layouts(monkeypatch):
    RecordingHTML.documents = []
    monkeypatch.setattr(weasyprint, "HTML", RecordingHTML)
    monkeypatch.setattr(exports, "HTML", RecordingHTML, raising=False)  # if imported at the top
    return RecordingHTML.documents


def overflowing_text(document):
    """Text boxes that run past the right edge of the page's content area."""
    found = []
    for page in document.pages:
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width + 0.5
        found += [
            box.text[:30]
            for box in page_box.descendants()
            if isinstance(box, boxes.TextBox) and box.position_x + box.width > right
        ]
    return found


def workshop_with_posts(*texts):
    """A workshop whose posts are agreed by two groups, enough to show in the pillars."""
    workshop = make_workshop()
    author = ParticipantFactory(workshop=workshop, group=stakeholder_group("health"))
    voters = [
        ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
        for slug in ("pcf", "education") * 3
    ]
    for text in texts:
        post = ContributionFactory(workshop=workshop, participant=author, text=text)
        for voter in voters:
            VoteFactory(contribution=post, participant=voter, choice=Vote.Choice.AGREE)
    return workshop


def test_right_to_left_text_and_long_words_stay_on_the_page(layouts, settings):
    """Arabic, Hebrew and a 300-character word, quoted in the pillars and, as asked for,
    in the appendix."""
    settings.REPORT_ITEMS_PER_HEADING = 3  # all three printed under Common ground
    workshop = workshop_with_posts(f"Arabic: {ARABIC}", f"Hebrew: {HEBREW}", LONG_WORD)
    pdf = render_pdf(workshop.series, workshop, include_appendix=True)
    text = pdf_text(pdf)
    for word in ("نحتاج", "دعم", "المدارس", "אנחנו", "תמיכה", "טובה"):
        assert text.count(word) >= 2, word  # the quote and the appendix
    assert "".join(text.split()).count(LONG_WORD) == 2
    assert "Appendix: every contribution" in text
    assert overflowing_text(layouts[-1]) == []


def test_emoji_render_and_map_back_to_text(layouts):
    """Emoji lay out without error or overflow, and the PDF maps their glyphs to the
    characters (pypdf cannot decode WeasyPrint's custom CMap here, so the /ToUnicode maps
    are read instead). No appendix was asked for, so there is none."""
    workshop = workshop_with_posts(EMOJI_POST)
    pdf = render_pdf(workshop.series, workshop)
    reader = PdfReader(io.BytesIO(pdf))
    text = pdf_text(pdf)
    assert "Pillar 1" in text
    assert "Appendix" not in text
    maps = ""
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/ToUnicode" in font:
                maps += font["/ToUnicode"].get_object().get_data().decode("latin-1").upper()
    assert "D83DDE80" in maps  # 🚀 in UTF-16
    assert "D83DDC4D" in maps  # 👍
    assert overflowing_text(layouts[-1]) == []


def test_report_reads_in_the_order_a_policymaker_expects(demo_report):
    """Cover, contents, summary and background first; the overview before the pillars; the
    caveats, method and next steps after them."""
    titles = outline_titles(demo_report.reader.outline)
    wanted = [
        demo_report.title,
        "Contents",
        "Executive summary",
        "Background and purpose",
        "About the workshops",
        "Key findings",
        "Overview: who holds which view",
        "By region",
        "Pillar 1: Support capacity",
        "Pillar 2: Legislative framework",
        "Themes",
        "Caveats",
        "Method and limitations",
        "Next steps",
        "Appendix: every contribution",
    ]
    assert [title for title in titles if title in wanted] == wanted


def test_the_shared_rejection_is_agreed_against_never_common_ground(demo_report):
    """The proposal every group rejected: printed under "Agreed against", in the PDF too."""
    [rejected] = demo_report.rejected
    agreed_against = [text for text, _ in demo_report.under["Agreed against"]]
    assert rejected in agreed_against
    assert rejected not in [text for text, _ in demo_report.under["Common ground"]]
    text = flat(demo_report.text)
    start = text.index(flat(rejected)[:60])
    assert text.rfind("Agreed against", 0, start) > text.rfind("Common ground", 0, start)


def test_young_peoples_untested_posts_are_heard_first(demo_report):
    """Both posts too few people voted on are young people's: printed, not only counted,
    ahead of any other group's under "Heard, not yet tested"."""
    heard = demo_report.under["Heard, not yet tested"]
    young = [text for text, group in heard if group == "young_person"]
    assert len(young) >= 2
    for groups in demo_report.heard:  # each recommendation's, young people's first
        assert groups == sorted(groups, key=lambda group: group != "young_person")
    for post in young:
        assert flat(post)[:50] in flat(demo_report.text)


def test_the_contents_give_page_numbers(demo_report):
    """Each contents line ends with the page its chapter starts on."""
    contents = flat(demo_report.reader.pages[1].extract_text())
    assert re.search(r"Executive summary\W*3", contents)
    assert re.search(r"Method and limitations\W*\d+", contents)


def test_the_front_matter_is_the_analysts_markdown(demo_report):
    text = flat(demo_report.text)
    assert "seven points of common ground" in text
    assert "Many classes rest on three or four votes per group" in text
    assert "**" not in text and "- Each post" not in text  # rendered, not printed as typed


def test_the_overview_says_each_groups_view_in_words(demo_report):
    text = flat(demo_report.text)
    assert "Each group's view of each recommendation's judged posts" in text
    assert re.search(r"agrees with \d+ of \d+ judged posts", text)
    assert "How each region's posts were classed" in text


def test_a_recommendation_to_be_completed_is_never_a_heading(demo_report):
    """The framework's placeholder (recommendation 8) is named only in a warning."""
    assert not [t for t in outline_titles(demo_report.reader.outline) if t.startswith("8.")]
    assert "Recommendation 8 is still to be completed in the framework" in flat(demo_report.text)


def test_small_groups_are_never_named_with_their_workshop(demo_report):
    """No group had five people in a regional demo workshop, nor did "other" in the national
    one: their quotes name no workshop. The national workshop's bigger groups' quotes do."""
    text = flat(demo_report.text)
    assert "Education setting, a regional workshop" in text
    assert "Other, a national workshop" in text
    assert "Education setting, National workshop" in text
    for workshop in ("North West regional workshop", "South West regional workshop"):
        assert not re.search(r"— [\w ]+, " + workshop, text)
    assert not re.search(r"— Other, National workshop", text)


def test_key_findings_carry_their_figures_and_an_easy_read_sentence(demo_report):
    """The demo's findings: the numbers behind each, and one sentence in Easy Read."""
    text = flat(demo_report.text)
    assert "In Easy Read: Everyone said the system makes families and staff very tired." in text
    assert re.search(
        r"Evidence: 3 posts, \d+ votes from Parent carer forum, [\w ,]+; National", text
    )
