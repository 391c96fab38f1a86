"""Responses to key findings ("You said, we did"): analysts record, correct and remove them;
each is kept as history beside its finding, newest first; a finding not taken forward says
why; the audit log holds no one's words; those who follow the results are told of a change
to a finding the public page shows, by the title it has there."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.services import organisation_create
from synthesis import services
from synthesis.models import FindingResponse
from tests.factories import (
    FindingFactory,
    FindingResponseFactory,
    SeriesFactory,
    UserFactory,
    publish_report,
    send_reform,
)
from tests.test_forms_govuk import assert_govuk_errors

pytestmark = pytest.mark.django_db

FIELDS = {
    "status": FindingResponse.Status.IN_PROGRESS,
    "action": "We are writing new guidance on assessments with the parent carer forum.",
    "date": datetime.date(2026, 3, 27),
    "responsible": "SEND strategic lead",
    "easy_read": "We are writing new rules with parents.",
}
REASON_NEEDED = "Say why it is not being taken forward"


@pytest.fixture
def finding(db):
    return FindingFactory(title="Families wait too long for assessments")


@pytest.fixture
def told(monkeypatch):
    """What services announce to those who follow the results: [(series, what)]."""
    sent = []
    monkeypatch.setattr(
        services, "announce_results_changed", lambda series, what: sent.append((series, what))
    )
    return sent


def form_data(**changes):
    data = {
        "status": FIELDS["status"],
        "action": FIELDS["action"],
        "reason": "",
        "date_day": "27",
        "date_month": "3",
        "date_year": "2026",
        "responsible": FIELDS["responsible"],
        "easy_read": FIELDS["easy_read"],
    }
    return {**data, **changes}


def add_url(finding):
    return reverse("synthesis:finding_response_add", args=[finding.series_id, finding.pk])


def edit_url(response):
    return reverse(
        "synthesis:finding_response_edit", args=[response.finding.series_id, response.pk]
    )


def delete_url(response):
    return reverse(
        "synthesis:finding_response_delete", args=[response.finding.series_id, response.pk]
    )


def findings_url(finding):
    return reverse("synthesis:findings", args=[finding.series_id])


# Services


def test_a_response_is_added_with_its_fields_and_who_added_it(finding, analyst):
    response = services.finding_response_add(finding=finding, user=analyst, **FIELDS)
    response.refresh_from_db()
    assert response.finding == finding and response.created_by == analyst
    assert {name: getattr(response, name) for name in FIELDS} == FIELDS
    assert response.reason == ""


def test_the_text_is_tidied_before_it_is_kept(finding, analyst):
    """Invisible and direction-changing characters go, as from every other text."""
    response = services.finding_response_add(
        finding=finding,
        user=analyst,
        **{**FIELDS, "responsible": "  SEND\u200b strategic lead\u202e "},
    )
    assert response.responsible == "SEND strategic lead"


def test_the_audit_log_says_what_changed_but_holds_no_ones_words(finding, analyst):
    response = services.finding_response_add(finding=finding, user=analyst, **FIELDS)
    services.finding_response_edit(response=response, user=analyst, status="done")
    services.finding_response_delete(response=response, user=analyst)
    entries = AuditEntry.objects.filter(target_type="findingresponse").order_by("pk")
    assert [entry.action for entry in entries] == [
        "finding_response_added",
        "finding_response_edited",
        "finding_response_deleted",
    ]
    assert all(entry.actor == analyst for entry in entries)
    assert all(entry.organisation == finding.series.organisation for entry in entries)
    assert entries[1].detail == {"finding": finding.pk, "status": "done"}
    logged = json.dumps([entry.detail for entry in entries])
    for words in (FIELDS["action"], FIELDS["responsible"], FIELDS["easy_read"]):
        assert words not in logged


def test_not_taken_forward_needs_a_reason_on_that_field(finding, analyst):
    fields = {**FIELDS, "status": FindingResponse.Status.NOT_TAKEN_FORWARD, "reason": "  "}
    with pytest.raises(ValidationError) as refused:
        services.finding_response_add(finding=finding, user=analyst, **fields)
    assert REASON_NEEDED in refused.value.message_dict["reason"][0]
    assert not FindingResponse.objects.exists()
    assert not AuditEntry.objects.filter(target_type="findingresponse").exists()


def test_not_taken_forward_with_a_reason_is_kept(finding, analyst):
    fields = {
        **FIELDS,
        "status": FindingResponse.Status.NOT_TAKEN_FORWARD,
        "reason": "The law sets the assessment time limit, not the council.",
    }
    response = services.finding_response_add(finding=finding, user=analyst, **fields)
    assert response.get_status_display() == "Not taken forward"
    assert response.reason.startswith("The law sets")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"action": ""}, "action"),
        ({"responsible": ""}, "responsible"),
        ({"responsible": "x" * 201}, "responsible"),
        ({"easy_read": ""}, "easy_read"),
        ({"status": "forgotten"}, "status"),
    ],
)
def test_a_response_missing_what_it_needs_is_refused_and_nothing_saved(
    finding, analyst, changes, field
):
    with pytest.raises(ValidationError) as refused:
        services.finding_response_add(finding=finding, user=analyst, **{**FIELDS, **changes})
    assert field in refused.value.message_dict
    assert not FindingResponse.objects.exists()


def test_editing_changes_only_the_fields_given(finding, analyst):
    response = services.finding_response_add(finding=finding, user=analyst, **FIELDS)
    services.finding_response_edit(
        response=response, user=analyst, status=FindingResponse.Status.DONE
    )
    response.refresh_from_db()
    assert response.status == FindingResponse.Status.DONE
    assert response.action == FIELDS["action"] and response.date == FIELDS["date"]


def test_a_refused_edit_leaves_the_stored_response_as_it_was(finding, analyst):
    response = FindingResponseFactory(finding=finding)
    with pytest.raises(ValidationError):
        services.finding_response_edit(
            response=response, user=analyst, status=FindingResponse.Status.NOT_TAKEN_FORWARD
        )
    response.refresh_from_db()
    assert response.status == FindingResponse.Status.AGREED


def test_deleting_removes_only_that_entry_of_the_history(finding, analyst):
    kept, gone = FindingResponseFactory.create_batch(2, finding=finding)
    services.finding_response_delete(response=gone, user=analyst)
    assert list(finding.responses.all()) == [kept]


# Telling those who follow the results


def test_followers_are_told_of_each_change_by_the_published_title(finding, analyst, told):
    """The public page shows the title frozen with the published version, so notices use it
    even after the finding is renamed."""
    publish_report(finding.series, user=analyst)
    finding.title = "A new working title"
    finding.save(update_fields=["title"])
    response = services.finding_response_add(finding=finding, user=analyst, **FIELDS)
    services.finding_response_edit(
        response=response, user=analyst, status=FindingResponse.Status.AGREED
    )
    services.finding_response_delete(response=response, user=analyst)
    assert told == [
        (
            finding.series,
            "A response to “Families wait too long for assessments” was added: In progress.",
        ),
        (
            finding.series,
            "A response to “Families wait too long for assessments” was updated: Agreed.",
        ),
        (finding.series, "A response to “Families wait too long for assessments” was removed."),
    ]


def test_no_one_is_told_before_anything_is_published(finding, analyst, told):
    services.finding_response_add(finding=finding, user=analyst, **FIELDS)
    assert told == []


def test_no_one_is_told_of_a_finding_written_after_the_published_version(finding, analyst, told):
    """The public page shows the published version's findings only: a later one is not
    there, so its responses change nothing people can see."""
    publish_report(finding.series, user=analyst)
    later = FindingFactory(series=finding.series, title="Written after publishing")
    services.finding_response_add(finding=later, user=analyst, **FIELDS)
    assert told == []


def test_a_refused_response_tells_no_one(finding, analyst, told):
    publish_report(finding.series, user=analyst)
    with pytest.raises(ValidationError):
        services.finding_response_add(finding=finding, user=analyst, **{**FIELDS, "action": ""})
    assert told == []


# Pages


def test_the_findings_page_shows_each_findings_responses_newest_first(client, finding, analyst):
    FindingResponseFactory(
        finding=finding,
        status=FindingResponse.Status.CONSIDERING,
        date=datetime.date(2026, 1, 5),
        action="We are looking at how long assessments take.",
    )
    FindingResponseFactory(
        finding=finding,
        status=FindingResponse.Status.NOT_TAKEN_FORWARD,
        date=datetime.date(2026, 4, 1),
        action="We will not change the time limit.",
        reason="The law sets it.",
        responsible="Head of SEND services",
        easy_read="We cannot change how long it takes.",
    )
    client.force_login(analyst)
    page = client.get(findings_url(finding)).content.decode()
    newest, oldest = page.index("Not taken forward"), page.index("Being considered")
    assert newest < oldest
    for shown in (
        "1 April 2026",
        "5 January 2026",
        "We will not change the time limit.",
        "The law sets it.",
        "Head of SEND services",
        "We cannot change how long it takes.",
        "Add a response",
        add_url(finding),
    ):
        assert shown in page


def test_a_finding_without_responses_says_so(client, finding, analyst):
    client.force_login(analyst)
    page = client.get(findings_url(finding)).content.decode()
    assert "No response yet." in page and add_url(finding) in page


def test_the_add_page_starts_at_todays_date(client, finding, analyst):
    client.force_login(analyst)
    response = client.get(add_url(finding))
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["form"]["date"].value() == today
    assert f'name="date_year" value="{today.year}"' in response.content.decode()


def test_an_analyst_adds_a_response_and_returns_to_the_finding(client, finding, analyst):
    client.force_login(analyst)
    response = client.post(add_url(finding), form_data())
    assert response.status_code == 302
    assert response.url == findings_url(finding) + f"#finding-{finding.pk}"
    saved = finding.responses.get()
    assert (saved.status, saved.date, saved.created_by) == (
        FindingResponse.Status.IN_PROGRESS,
        datetime.date(2026, 3, 27),
        analyst,
    )


def test_an_analyst_edits_a_response(client, finding, analyst):
    stored = FindingResponseFactory(finding=finding, date=datetime.date(2026, 2, 1))
    client.force_login(analyst)
    page = client.get(edit_url(stored))
    assert page.status_code == 200
    assert 'name="date_month" value="2"' in page.content.decode()
    response = client.post(edit_url(stored), form_data(status="done", date_month="5"))
    assert response.status_code == 302
    stored.refresh_from_db()
    assert (stored.status, stored.date) == ("done", datetime.date(2026, 5, 27))
    assert finding.responses.count() == 1


def test_deleting_asks_first_with_a_warning_button_then_deletes(client, finding, analyst):
    stored = FindingResponseFactory(finding=finding)
    client.force_login(analyst)
    page = client.get(delete_url(stored))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Delete this response?" in html and 'class="button warning"' in html
    assert "Cancel" in html and FindingResponse.objects.filter(pk=stored.pk).exists()
    response = client.post(delete_url(stored))
    assert response.status_code == 302
    assert response.url == findings_url(finding) + f"#finding-{finding.pk}"
    assert not FindingResponse.objects.exists()


# Bad input: a clear, polite message beside the field, nothing saved, nothing typed lost


def test_an_empty_form_names_every_box_to_fill(client, finding, analyst):
    client.force_login(analyst)
    empty = dict.fromkeys(form_data(), "")
    html = assert_govuk_errors(
        client.post(add_url(finding), empty),
        ["id_status_0", "id_action", "id_date_0", "id_responsible", "id_easy_read"],
    )
    for message in (
        "Choose where things stand",
        "Enter what you will do or have done",
        "Enter the date of this response",
        "Enter who is responsible",
        "Enter the response in one short Easy Read sentence",
    ):
        assert message in html
    assert not FindingResponse.objects.exists()


@pytest.mark.parametrize(
    "date, message",
    [
        ({"date_day": "31", "date_month": "2"}, "Date must be a real date"),
        ({"date_month": ""}, "Date must include a month"),
        ({"date_year": "26"}, "Enter the year as 4 digits"),
        ({"date_day": "tomorrow"}, "Date must be a real date"),
    ],
)
def test_a_date_that_cannot_be_read_says_what_to_fix(client, finding, analyst, date, message):
    client.force_login(analyst)
    html = assert_govuk_errors(client.post(add_url(finding), form_data(**date)), ["id_date_0"])
    assert message in html
    assert FIELDS["action"] in html
    assert not FindingResponse.objects.exists()


def test_not_taken_forward_without_a_reason_says_so_beside_the_reason(client, finding, analyst):
    client.force_login(analyst)
    response = client.post(add_url(finding), form_data(status="not_taken_forward"))
    html = assert_govuk_errors(response, ["id_reason"])
    assert REASON_NEEDED in html
    assert FIELDS["action"] in html
    assert response.context["form"]["status"].value() == "not_taken_forward"
    assert not FindingResponse.objects.exists()


def test_a_role_too_long_is_refused_with_its_length(client, finding, analyst):
    client.force_login(analyst)
    response = client.post(add_url(finding), form_data(responsible="x" * 201))
    html = assert_govuk_errors(response, ["id_responsible"])
    assert "must be 200 characters or fewer (it has 201)" in html
    assert not FindingResponse.objects.exists()


def test_a_refused_edit_keeps_the_stored_response(client, finding, analyst):
    stored = FindingResponseFactory(finding=finding)
    before = stored.action
    client.force_login(analyst)
    response = client.post(edit_url(stored), form_data(action=""))
    assert response.status_code == 400
    stored.refresh_from_db()
    assert stored.action == before


# Who may: analysts of the series' organisation only


@pytest.fixture
def elsewhere():
    """A finding, with a response, of another organisation's series."""
    organisation = organisation_create(name="Another council")
    series = SeriesFactory(organisation=organisation, framework=send_reform(organisation))
    return FindingResponseFactory(finding=FindingFactory(series=series))


def test_another_organisations_finding_is_not_found_through_this_series(
    client, finding, analyst, elsewhere
):
    """The series in the address bounds the finding: another's is a 404, and nothing changes."""
    before = elsewhere.action
    client.force_login(analyst)
    series_pk = finding.series_id
    urls = [
        reverse("synthesis:finding_response_add", args=[series_pk, elsewhere.finding_id]),
        reverse("synthesis:finding_response_edit", args=[series_pk, elsewhere.pk]),
        reverse("synthesis:finding_response_delete", args=[series_pk, elsewhere.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, form_data(action="Moved")).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.action == before
    assert FindingResponse.objects.count() == 1


def test_another_organisations_analyst_finds_nothing_here(client, finding, elsewhere):
    client.force_login(
        UserFactory(roles=["analyst"], roles__organisation=elsewhere.finding.series.organisation)
    )
    assert client.get(add_url(finding)).status_code == 404
    assert client.post(add_url(finding), form_data()).status_code == 404
    assert not finding.responses.exists()


def test_only_analysts_may_record_responses(client, finding, facilitator):
    stored = FindingResponseFactory(finding=finding)
    assert client.post(add_url(finding), form_data()).url.startswith(reverse("login"))
    client.force_login(facilitator)
    for url in (add_url(finding), edit_url(stored), delete_url(stored)):
        assert client.get(url).status_code == 403
        assert client.post(url, form_data()).status_code == 403
    assert list(FindingResponse.objects.all()) == [stored]
