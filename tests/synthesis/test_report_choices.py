"""Analysts pin an item into the report, or leave it out of the report only; and a
workshop's report may have front matter of its own."""

import pytest
from django.urls import reverse

from demo import seed as demo
from synthesis import board
from synthesis.docx_report import report_html
from synthesis.models import ReportChoice, ReportText
from synthesis.report import HEADINGS, data_version, report_context
from synthesis.services import report_text_save
from tests.factories import SeriesFactory, UserFactory
from tests.helpers import new_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def series():
    return demo.seed().series


@pytest.fixture
def analyst_client(series):
    """An analyst of the demo's organisation, which owns its series."""
    client = new_client()
    client.force_login(UserFactory(roles=["analyst"], roles__organisation=series.organisation))
    return client


def printed(context):
    """Every item the report's body and themes chapter print."""
    body = [
        item
        for section in context["pillars"]
        for rec in section["recommendations"]
        for heading in rec["headings"]
        for item in heading["items"]
    ]
    return body + context["themes"]


def a_crowded_heading(context):
    """A recommendation's section, and a heading of it that prints some items and only
    counts others."""
    return next(
        (rec, heading)
        for section in context["pillars"]
        for rec in section["recommendations"]
        for heading in rec["headings"]
        if heading["more"]
    )


def section_of(context, recommendation):
    return next(
        rec
        for section in context["pillars"]
        for rec in section["recommendations"]
        if rec["recommendation"] == recommendation
    )


def choose(client, series, item, choice):
    url = reverse("synthesis:report_choice", args=[series.pk, item.kind, item.pk])
    return client.post(url, {"choice": choice})


def test_a_pinned_item_is_printed_beside_the_strongest(series, analyst_client, settings):
    settings.REPORT_ITEMS_PER_HEADING = 1
    rec, heading = a_crowded_heading(report_context(series))
    [strongest] = heading["items"]
    counted = next(
        item
        for item in rec["items"]
        if item.verdict in dict(HEADINGS)[heading["title"]] and item.pk != strongest.pk
    )

    response = choose(analyst_client, series, counted, "pinned")

    assert response.status_code == 302
    after = section_of(report_context(series), rec["recommendation"])
    [pinned_under] = [h for h in after["headings"] if h["title"] == heading["title"]]
    assert {(i.kind, i.pk) for i in pinned_under["items"]} == {
        (strongest.kind, strongest.pk),
        (counted.kind, counted.pk),
    }
    assert pinned_under["more"] == heading["more"] - 1
    assert "1 pinned, 0 left out" in report_html(series)


def test_an_item_left_out_is_not_printed_but_stays_everywhere_else(series, analyst_client):
    context = report_context(series, include_appendix=True)
    item = next(i for i in printed(context) if i.kind == "contribution")

    choose(analyst_client, series, item, "left_out")

    context = report_context(series, include_appendix=True)
    assert item.pk not in {i.pk for i in printed(context) if i.kind == "contribution"}
    assert item.pk in {i.pk for i in board.build_board(series).items if i.kind == "contribution"}
    assert item.pk in {post.pk for post in context["appendix"]}
    board_page = analyst_client.get(reverse("synthesis:series_board", args=[series.pk]))
    assert "Report: leave out of the report" in board_page.content.decode()


def test_a_theme_left_out_leaves_the_themes_chapter(series, analyst_client):
    theme = report_context(series)["themes"][0]
    choose(analyst_client, series, theme, "left_out")
    assert theme.pk not in {t.pk for t in report_context(series)["themes"]}


def test_the_rule_decides_again_when_the_choice_is_cleared(series, analyst_client):
    item = printed(report_context(series))[0]
    choose(analyst_client, series, item, "left_out")
    choose(analyst_client, series, item, "")
    assert not ReportChoice.objects.exists()
    assert (item.kind, item.pk) in {(i.kind, i.pk) for i in printed(report_context(series))}


def test_a_choice_makes_the_report_a_new_draft(series, analyst_client):
    """The fingerprint changes, so a final version cannot silently stand for the new one."""
    before = data_version(series)
    choose(analyst_client, series, printed(report_context(series))[0], "pinned")
    assert data_version(series) != before


@pytest.mark.parametrize("choice", ["always", "pinned;drop table", "x" * 500])
def test_an_unknown_choice_is_refused_politely_and_changes_nothing(series, analyst_client, choice):
    item = printed(report_context(series))[0]
    choose(analyst_client, series, item, "pinned")

    response = choose(analyst_client, series, item, choice)

    assert response.status_code == 302
    page = analyst_client.get(response.url).content.decode()
    assert "Please choose how the report treats this item." in page
    assert ReportChoice.objects.get().choice == ReportChoice.Choice.PINNED


def test_an_item_of_another_series_is_not_found(series, analyst_client):
    other = SeriesFactory()
    item = printed(report_context(series))[0]
    assert choose(analyst_client, other, item, "pinned").status_code == 404
    assert not ReportChoice.objects.exists()


# A workshop's own front matter


def test_a_workshop_report_prints_the_series_text_until_it_has_its_own(series, analyst_client):
    workshop = series.workshops.first()
    series_summary = ReportText.objects.get(series=series, workshop=None).summary
    assert report_context(series, workshop=workshop)["text"].summary == series_summary

    url = reverse("synthesis:workshop_report_text", args=[workshop.pk])
    form = analyst_client.get(url).content.decode()
    assert "It starts as a copy of" in form
    fields = {name: "" for name in ReportText.FIELDS}
    response = analyst_client.post(url, {**fields, "summary": "Only *this* workshop"})

    assert response.status_code == 302
    assert report_context(series, workshop=workshop)["text"].summary == "Only *this* workshop"
    assert report_context(series)["text"].summary == series_summary
    other = series.workshops.exclude(pk=workshop.pk).first()
    assert report_context(series, workshop=other)["text"].summary == series_summary
    page = analyst_client.get(reverse("synthesis:workshop_report", args=[workshop.pk]))
    assert "Only <em>this</em> workshop" in page.content.decode()


def test_a_workshop_text_too_long_is_refused_and_the_saved_text_kept(series, analyst_client):
    workshop = series.workshops.first()
    report_text_save(series=series, workshop=workshop, summary="Kept")
    url = reverse("synthesis:workshop_report_text", args=[workshop.pk])
    fields = {name: "" for name in ReportText.FIELDS}

    response = analyst_client.post(url, {**fields, "summary": "x" * 20_001})

    assert response.status_code == 400
    assert "20,000 characters or fewer" in response.content.decode()
    assert ReportText.objects.get(workshop=workshop).summary == "Kept"
