"""Forms people already know (the GOV.UK patterns): every staff form posted empty or wrong
answers with "Error: " in the page title, a summary at the top linking to each field, and
every message in plain English beside its field, never Django's defaults; dates are typed
as day, month and year; groups are shown by name, never by their internal codes."""

import datetime
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from accounts import govuk
from participants.models import StakeholderGroup
from synthesis.board import Item
from synthesis.models import Theme
from synthesis.stats import Verdict
from tests.factories import ContributionFactory, SeriesFactory, UserFactory, make_workshop

DJANGO_DEFAULTS = [
    "This field is required.",
    "Select a valid choice",
    "Enter a valid",
    "Ensure this value",
    "Enter a whole number.",
    "Null characters are not allowed.",
]


EMPTY_DATE = {f"starts_at_{box}": "" for box in ("day", "month", "year", "time")}


def anchors_in_summary(html):
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">', summary.group(0))


def assert_govuk_errors(response, anchors, status=400):
    """The GOV.UK error pattern on a page, with the summary linking to each of `anchors`."""
    html = response.content.decode()
    assert response.status_code == status
    assert re.search(r"<title>Error: ", html)
    assert 'role="alert"' in html and "There is a problem" in html and "autofocus" in html
    assert set(anchors) <= set(anchors_in_summary(html))
    for anchor in anchors:
        assert f'id="{anchor}"' in html, f"the summary links to #{anchor}, which is not there"
    for default in DJANGO_DEFAULTS:
        assert default not in html, f"Django's “{default}” shown"
    return html


@pytest.fixture
def series(db):
    return SeriesFactory()


def signed_in(client, *roles):
    client.force_login(UserFactory(roles=list(roles)))
    return client


# Every staff form, posted empty


def staff_forms(series):
    """(roles, url, data, the fields the summary must link to) for each staff form."""
    workshop = make_workshop(series=series)
    theme = Theme.objects.create(series=series, title="A theme")
    organisation = series.organisation
    return {
        "new series": (
            ["facilitator"],
            reverse("facilitation:series_list"),
            {"name": "", "description": ""},
            ["id_name", "id_organisation", "id_framework"],
        ),
        "new workshop": (
            ["facilitator"],
            reverse("facilitation:series_detail", args=[series.pk]),
            {"title": "", "region": "", "venue": "", **EMPTY_DATE},
            ["id_title", "id_kind", "id_starts_at_0"],
        ),
        "add member": (
            ["admin"],
            reverse("facilitation:organisation", args=[organisation.pk]),
            {"email": ""},
            ["id_email", "id_roles_0"],
        ),
        "questions": (
            ["facilitator"],
            reverse("facilitation:prompts_edit", args=[workshop.pk]),
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-0-id": str(workshop.prompts.first().pk),
                "form-0-question": "",
                "form-0-order": "",
            },
            ["id_form-0-question"],
        ),
        "theme": (
            ["analyst"],
            reverse("synthesis:themes", args=[series.pk]),
            {"title": "", "contributions": ""},
            ["id_title", "id_contributions"],
        ),
        "edit theme": (
            ["analyst"],
            reverse("synthesis:theme_edit", args=[series.pk, theme.pk]),
            {"title": "", "contributions": ""},
            ["id_title", "id_contributions"],
        ),
        "finding": (
            ["analyst"],
            reverse("synthesis:findings", args=[series.pk]),
            {"title": "", "body": "", "easy_read": "", "contributions": ""},
            ["id_title", "id_body", "id_kind"],
        ),
        "export": (
            ["analyst"],
            reverse("synthesis:exports", args=[series.pk]),
            {"workshop": ""},
            ["id_kind"],
        ),
        "final version": (
            ["analyst"],
            reverse("synthesis:report_versions", args=[series.pk]),
            {},
            ["id_reviewed"],
        ),
    }


STAFF_FORMS = [
    "new series",
    "new workshop",
    "add member",
    "questions",
    "theme",
    "edit theme",
    "finding",
    "export",
    "final version",
]


@pytest.mark.parametrize("name", STAFF_FORMS)
def test_every_staff_form_posted_empty_says_what_to_do_in_plain_english(client, series, name):
    roles, url, data, anchors = staff_forms(series)[name]
    response = signed_in(client, *roles).post(url, data)
    assert_govuk_errors(response, anchors)


def test_sign_in_posted_empty_names_both_boxes(client, db):
    html = assert_govuk_errors(
        client.post(reverse("login"), {}), ["id_username", "id_password"], status=200
    )
    assert "Enter your username" in html and "Enter your password" in html


def test_a_wrong_password_is_said_plainly(client, db):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    html = assert_govuk_errors(response, ["id_username"], status=200)
    assert "Your username and password did not match" in html


def as_post_data(*forms_and_formsets):
    """What a browser would send back for these forms and formsets, as drawn."""
    data = {}
    for item in forms_and_formsets:
        if isinstance(item, forms.BaseFormSet):
            parts = [item.management_form, *item.forms]
        else:
            parts = [item]
        for form in parts:
            for bound in form:
                value = bound.value()
                if isinstance(bound.field, forms.BooleanField):
                    if value:
                        data[bound.html_name] = "on"
                elif value is not None:
                    data[bound.html_name] = value
    return data


def test_the_framework_editor_summarises_every_formset_error(client, series):
    client = signed_in(client, "admin")
    url = reverse("pillars:framework_edit", args=[series.framework.pk])
    page = client.get(url).context
    data = as_post_data(page["form"], page["pillars"], page["recommendations"])
    data.update({"name": "", "pillars-0-title": "", "recommendations-1-number": "many"})
    html = assert_govuk_errors(
        client.post(url, data), ["id_name", "id_pillars-0-title", "id_recommendations-1-number"]
    )
    assert "Enter the framework’s name" in html
    assert "Enter the pillar’s title" in html
    assert "Number must be a whole number, like 3" in html


# What was typed is kept


def test_a_refused_workshop_keeps_what_was_typed(client, series):
    data = {
        "title": "Leeds <b>",
        "kind": "regional",
        "starts_at_day": "31",
        "starts_at_month": "2",
        "starts_at_year": "2026",
        "starts_at_time": "18:30",
    }
    response = signed_in(client, "facilitator").post(
        reverse("facilitation:series_detail", args=[series.pk]), data
    )
    html = assert_govuk_errors(response, ["id_starts_at_0"])
    assert (
        '<span class="visually-hidden">Error:</span> Start date and time must be a real date'
        in html
    )
    assert 'value="Leeds &lt;b&gt;"' in html
    for name in ("day", "month", "year", "time"):
        assert f'name="starts_at_{name}" value="{data["starts_at_" + name]}"' in html
    assert re.search(r'<fieldset aria-describedby="id_starts_at_helptext id_starts_at_error"', html)
    assert not series.workshops.exists()


def test_a_workshop_made_from_day_month_and_year(client, series):
    response = signed_in(client, "facilitator").post(
        reverse("facilitation:series_detail", args=[series.pk]),
        {
            "title": "Leeds",
            "kind": "regional",
            "starts_at_day": "7",
            "starts_at_month": "March",
            "starts_at_year": "2026",
            "starts_at_time": "9.30",
        },
    )
    assert response.status_code == 302
    starts = series.workshops.get().starts_at.astimezone(ZoneInfo("Europe/London"))
    assert (starts.date(), starts.time()) == (datetime.date(2026, 3, 7), datetime.time(9, 30))


# The analyst's override without a reason


def test_an_override_without_a_reason_keeps_the_choice_and_says_why_beside_it(client, series):
    workshop = make_workshop(series=series)
    post = ContributionFactory(participant__workshop=workshop)
    anchor = f"contribution-{post.pk}"
    response = signed_in(client, "analyst").post(
        reverse("synthesis:judge", args=[series.pk, "contribution", post.pk]),
        {"verdict": "common_ground", "reason": ""},
    )
    html = assert_govuk_errors(response, [f"reason-{anchor}"])
    assert html.count("<details open>") == 1, "the refused decision's form is not shown open"
    assert '<option value="common_ground" selected>' in html
    assert f'aria-describedby="reason-{anchor}_error"' in html


# The date input


def date_field(**kwargs):
    class DateForm(govuk.Form):
        when = govuk.DayMonthYearField(label="Date of the workshop", **kwargs)

    return DateForm


@pytest.mark.parametrize(
    "day, month, year, error",
    [
        ("31", "2", "2026", "Date of the workshop must be a real date"),
        ("0", "1", "2026", "Date of the workshop must be a real date"),
        ("1", "13", "2026", "Date of the workshop must be a real date"),
        ("x", "1", "2026", "Date of the workshop must be a real date"),
        ("1", "1", "26", "Enter the year as 4 digits"),
        ("1", "", "", "Date of the workshop must include a month and year"),
        ("", "", "", "Enter the date of the workshop"),
    ],
)
def test_a_date_that_is_not_real_says_what_to_fix(day, month, year, error):
    form = date_field()({"when_day": day, "when_month": month, "when_year": year})
    assert not form.is_valid()
    assert form.errors["when"] == [error] or form.errors["when"][0].startswith(error)


@pytest.mark.parametrize(
    "day, month, year, date",
    [
        ("29", "2", "2028", datetime.date(2028, 2, 29)),
        (" 7 ", "mar", "2026", datetime.date(2026, 3, 7)),
        ("07", "September", "2026", datetime.date(2026, 9, 7)),
        ("1", "1", "２０２６", datetime.date(2026, 1, 1)),  # typed on a phone set to Japanese
    ],
)
def test_a_real_date_is_read(day, month, year, date):
    form = date_field()({"when_day": day, "when_month": month, "when_year": year})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == date


@pytest.mark.parametrize("time", ["24:00", "18:60", "noon", "1"])
def test_a_time_that_is_not_real_says_what_to_fix(time):
    data = {"when_day": "1", "when_month": "1", "when_year": "2026", "when_time": time}
    form = date_field(time=True)(data)
    assert not form.is_valid()
    assert form.errors["when"] == ["Enter the time on the 24-hour clock, like 18:30"]


def test_the_date_input_shows_a_stored_date_in_its_boxes():
    form = date_field()(initial={"when": datetime.date(2026, 3, 7)})
    html = str(form["when"])
    for label, value in (("Day", "7"), ("Month", "3"), ("Year", "2026")):
        assert f">{label}</label>" in html and f'value="{value}"' in html


# Plain messages, one place


def test_plain_messages_replace_djangos_but_keep_a_forms_own():
    class Plain(govuk.Form):
        name = forms.CharField(max_length=5)
        size = forms.IntegerField(min_value=1)
        colour = forms.ChoiceField(choices=[("red", "Red")])
        email = forms.EmailField(error_messages={"required": "Enter your own address"})

    form = Plain({"name": "toolong", "size": "0", "colour": "blue", "email": ""})
    assert not form.is_valid()
    assert form.errors == {
        "name": ["Name must be 5 characters or fewer (it has 7)"],
        "size": ["Size must be 1 or more"],
        "colour": ["Choose the colour from the list"],
        "email": ["Enter your own address"],
    }
    empty = Plain({})
    assert not empty.is_valid()
    assert empty.errors["name"] == ["Enter the name"]
    assert empty.errors["colour"] == ["Choose the colour"]


# The page title and the summary


def test_the_title_says_error_only_when_a_form_is_in_error():
    template = Template("{% load govuk %}{% error_prefix %}Page")

    class Named(govuk.Form):
        name = forms.CharField()

    assert template.render(Context({"form": Named()})) == "Page"
    assert template.render(Context({"form": Named({"name": "Sam"})})) == "Page"
    assert template.render(Context({"form": Named({})})) == "Error: Page"


# Group names, never codes


def test_the_board_names_groups_never_by_their_code(db):
    groups = {g.slug: g for g in StakeholderGroup.objects.all()}
    pcf, la = groups["pcf"], groups["local_government"]
    reading = SimpleNamespace(
        divergent_pair=("pcf", "local_government", 2.5),
        not_with_majority=("local_government",),
        verdict=Verdict.MIXED,
    )
    item = Item(
        kind="contribution",
        pk=1,
        text="",
        recommendations=[],
        created=None,
        tallies={},
        reading=reading,
        groups=[pcf, la],
    )
    assert item.widest_gap == (pcf.name, la.name, 2.5)
    assert item.groups_not_with_majority == [la.name]
