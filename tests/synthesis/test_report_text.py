"""Report text analysts write (a safe Markdown subset), and the report's overview, headings
and small-numbers rule."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from synthesis import overview, rich_text
from synthesis.models import REPRESENTATIVENESS_CAVEAT, ReportText
from synthesis.report import attribution, who_holds_which_view
from synthesis.stats import Stance
from tests.factories import SeriesFactory, make_workshop, stakeholder_group
from tests.helpers import new_client

pytestmark = pytest.mark.django_db


# The Markdown subset


def test_the_subset_renders_paragraphs_bullets_emphasis_and_links():
    html = rich_text.render("One *two* **three**\n\n- a\n- b\n\n[the addendum](https://x.org)")
    assert "<em>two</em>" in html and "<strong>three</strong>" in html
    assert "<ul>\n<li>a</li>" in html
    assert '<a href="https://x.org" rel="noopener noreferrer">the addendum</a>' in html


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '[click](https://x.org "title" onclick="alert(1)")',
        "# A heading\n\n![image](https://x.org/i.png)",
    ],
)
def test_anything_outside_the_subset_is_shown_as_typed_and_runs_nothing(typed):
    """Only the subset's tags come out; a link has only an http(s) address and its rel."""
    tags = Tags()
    tags.feed(str(rich_text.render(typed)))
    assert {tag for tag, _ in tags.seen} <= rich_text.ALLOWED_TAGS
    for tag, attributes in tags.seen:
        assert set(attributes) <= ({"href", "rel"} if tag == "a" else set())
        assert attributes.get("href", "https:").startswith(("https:", "http:"))


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))


# The page where analysts write it


@pytest.fixture
def page(analyst):
    series = SeriesFactory()
    client = new_client()
    client.force_login(analyst)
    return series, client, reverse("synthesis:report_text", args=[series.pk])


def test_the_form_starts_with_the_representativeness_caveat(page):
    series, client, url = page
    html = client.get(url).content.decode()
    assert "The people who took part chose to come" in html
    assert REPRESENTATIVENESS_CAVEAT.startswith("The people who took part chose to come")


def test_saving_keeps_the_text_and_returns_to_the_page(page):
    series, client, url = page
    data = {
        "summary": "We *heard*",
        "caveats": "Few",
        "background": "",
        "next_steps": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == url
    text = ReportText.objects.get(series=series)
    assert (text.summary, text.caveats) == ("We *heard*", "Few")


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("summary", "nul\x00byte", "has a character we cannot store"),
        ("next_steps", "x" * 20_001, "20,000 characters or fewer"),
    ],
)
def test_bad_text_is_refused_politely_and_what_was_saved_stays(page, field, value, says):
    series, client, url = page
    client.post(url, {"summary": "Kept"})
    data = {"summary": "Kept", field: value}
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert says in html and "<title>Error:" in html
    assert ReportText.objects.get(series=series).summary == "Kept"


# Overview cells and sentences


def test_a_cell_says_its_counts_in_words_and_shades_by_agree_minus_disagree():
    cell = overview.Cell(agrees=5, disagrees=1, unsettled=1)
    assert cell.text == "agrees with 5 of 7 judged posts, disagrees with 1, unsettled on 1"
    assert cell.shade == "agree-strong"
    assert overview.Cell(1, 4, 0).shade == "disagree-strong"
    assert overview.Cell(0, 0, 0).text == "no judged posts"


def test_a_group_with_too_few_people_is_not_counted_on_its_own():
    cell = overview.group_cell([], stakeholder_group("young_person"), people=4)
    assert cell.text == "fewer than 5 people" and cell.shade == "none"


class Line:
    def __init__(self, slug, stance):
        self.group, self.stance = stakeholder_group(slug), stance


class Item:
    def __init__(self, *lines):
        self.lines = list(lines)


def test_who_holds_which_view_in_one_sentence():
    item = Item(
        Line("pcf", Stance.AGREES),
        Line("education", Stance.DISAGREES),
        Line("health", Stance.DISAGREES),
        Line("local_government", Stance.DISAGREES),
        Line("young_person", Stance.NO_DATA),
    )
    assert who_holds_which_view(item) == (
        "Parent carer forum agrees; Education setting, Health service and Local government disagree"
    )


def test_a_quote_names_its_workshop_only_where_its_group_had_five_people_there():
    workshop = make_workshop(title="Leeds workshop", region="Yorkshire")
    pcf = stakeholder_group("pcf")
    people = {(workshop.pk, pcf.pk): 5}
    assert attribution(pcf, workshop, people) == "Parent carer forum, Leeds workshop (Yorkshire)"
    people = {(workshop.pk, pcf.pk): 4}
    assert attribution(pcf, workshop, people) == "Parent carer forum, a regional workshop"


# Key findings: their figures and Easy Read sentence


def test_a_finding_shows_the_figures_behind_it_and_its_easy_read_sentence(analyst):
    from participants.models import Vote
    from synthesis.models import Finding
    from tests.factories import ContributionFactory, ParticipantFactory

    workshop = make_workshop(region="North West")
    post = ContributionFactory(participant__workshop=workshop, text="Start early")
    for slug in ("pcf", "education"):
        voter = ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
        Vote.objects.create(participant=voter, contribution=post, choice="agree")
    client = new_client()
    client.force_login(analyst)
    url = reverse("synthesis:findings", args=[workshop.series.pk])
    data = {
        "title": "Start early",
        "body": "Everyone agreed.",
        "easy_read": "Help children when they are young.",
        "kind": "common_ground",
        "contributions": str(post.pk),
    }
    assert client.post(url, data).status_code == 302
    assert Finding.objects.get().easy_read == "Help children when they are young."
    html = client.get(url).content.decode()
    assert "In Easy Read:</strong> Help children when they are young." in html
    assert (
        "Evidence: 1 post, 2 votes from Parent carer forum, Education setting; North West." in html
    )


def test_an_over_long_easy_read_sentence_is_refused_and_nothing_is_saved(analyst):
    from synthesis.models import Finding

    series = SeriesFactory()
    client = new_client()
    client.force_login(analyst)
    url = reverse("synthesis:findings", args=[series.pk])
    data = {"title": "T", "body": "B", "kind": "debate", "easy_read": "w" * 201}
    response = client.post(url, data)
    assert response.status_code == 400
    assert (
        "Easy Read sentence must be 200 characters or fewer (it has 201)"
        in response.content.decode()
    )
    assert not Finding.objects.exists()


def test_beside_a_named_workshop_a_small_groups_numbers_are_not_shown():
    """The quote names its workshop (the author's group had five there); a group with two
    people there gets no bar and no numbers in the chart, only 'fewer than 5 people'."""
    from types import SimpleNamespace

    from synthesis.report import protected_groups
    from synthesis.stats import Tally
    from synthesis.templatetags.report_charts import agreement_rows

    workshop = make_workshop(title="Leeds workshop")
    pcf, young = stakeholder_group("pcf"), stakeholder_group("young_person")
    people = {(workshop.pk, pcf.pk): 5, (workshop.pk, young.pk): 2}
    lines = [
        SimpleNamespace(
            group=group,
            tally=Tally(3, 0, 0),
            stance=Stance.AGREES,
            judged=True,
            agree_share=100,
            disagree_share=0,
        )
        for group in (pcf, young)
    ]
    item = SimpleNamespace(kind="contribution", author_group=pcf, workshop=workshop, lines=lines)
    item.protected = protected_groups(item, people, [pcf, young])
    item.voted_lines = lines
    assert item.protected == {"young_person"}
    pcf_row, young_row = agreement_rows(item)
    assert pcf_row.words == "3 of 3 agree, 0 disagree" and pcf_row.agree > 0
    assert young_row.words == "fewer than 5 people" and young_row.too_few
    assert young_row.agree == young_row.disagree == 0
    people[(workshop.pk, pcf.pk)] = 4  # the workshop is no longer named: nothing to protect
    assert protected_groups(item, people, [pcf, young]) == set()


def test_who_took_part_hides_small_regions_and_a_workshops_small_groups():
    from synthesis.report import bars

    shown = bars({"North West": 19, "Online": 3, "Nowhere": 0}, protect=True)
    assert [(b.label, b.hidden) for b in shown] == [
        ("North West", False),
        ("Online", True),
        ("Nowhere", False),
    ]
    assert shown[1].share == 0
    assert not any(b.hidden for b in bars({"Young person": 3}))
