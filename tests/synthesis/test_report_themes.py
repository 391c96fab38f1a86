"""The report's Themes chapter on the demo series: each theme with its pooled stance by group
and by region, and its posts' words, after the pillars and before the caveats."""

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.html import escape

from demo import seed as demo
from synthesis.report import report_context

pytestmark = pytest.mark.django_db

EARLY_YEARS, WORKFORCE = "Invest in the early years", "Plan and grow the workforce"


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker):
    """The demo's report context and HTML, and its Themes chapter; seeding takes seconds, so
    it is done once for the module and its rows rolled back once the report is read."""
    with django_db_blocker.unblock(), transaction.atomic():
        context = report_context(demo.seed().series)
        html = render_to_string("synthesis/report/report.html", context)
        transaction.set_rollback(True)
    chapter = html.split('<h2 class="chapter" id="themes">')[1].split('id="caveats"')[0]
    return context, html, chapter


def test_the_demo_report_lists_its_two_themes_with_their_recommendations(report):
    """Early years spans recommendations 1 and 3; the workforce theme is on 3 only."""
    context, _, _ = report
    themes = {item.text: item for item in context["themes"]}
    assert set(themes) == {EARLY_YEARS, WORKFORCE}
    assert [rec.number for rec in themes[EARLY_YEARS].recommendations] == [1, 3]
    assert [rec.number for rec in themes[WORKFORCE].recommendations] == [3]


def test_the_themes_chapter_comes_after_the_pillars_and_before_the_caveats(report):
    """It has its line in the contents, and its chapter sits between the last pillar and the
    caveats."""
    _, html, _ = report
    assert '<li><a href="#themes">Themes</a></li>' in html
    last_pillar = html.rindex('id="pillar-')
    assert last_pillar < html.index('id="themes"') < html.index('id="caveats"')


def test_each_theme_has_its_quotes_and_its_stance_by_group_and_region(report):
    """Every theme prints its posts' words, who agrees in one sentence, its chart of each
    group's votes, and a reading for each region with enough votes."""
    context, _, chapter = report
    assert chapter.count('class="agreement-chart"') == len(context["themes"])
    for item in context["themes"]:
        assert f"<h3>{item.text}</h3>" in chapter
        assert len(item.quotes) == len(item.members) == 3
        for text, _ in item.quotes:
            assert escape(text) in chapter
        assert item.who and escape(item.who) in chapter
        assert item.regions
        for region, reading in item.regions:
            assert f"{region}, {reading.verdict.label.lower()}" in chapter
