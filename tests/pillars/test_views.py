"""Tests for the framework list and editor: who may use them, and what an edit saves."""

import pytest
from django.urls import reverse

from pillars.models import Framework, Pillar, Recommendation
from tests.factories import send_reform
from tests.helpers import framework_edit_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    return send_reform()


def list_url():
    return reverse("pillars:framework_list")


def edit_url(framework):
    return reverse("pillars:framework_edit", args=[framework.pk])


def rec_index(framework, number):
    """The position of recommendation `number` in the editor's formset."""
    return [r.number for r in framework.recommendations()].index(number)


def assert_refused(response):
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_cannot_see_or_edit_frameworks(client, framework, method):
    """Without signing in, the list and the editor are refused and nothing changes."""
    assert_refused(client.get(list_url()))
    data = framework_edit_data(framework)
    data["recommendations-0-title"] = "Changed by a stranger"
    assert_refused(getattr(client, method)(edit_url(framework), data))
    assert not Recommendation.objects.filter(title="Changed by a stranger").exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_participant_cookie_gives_no_access(participant_client, framework, method):
    """A participant's join cookie is not a staff login."""
    data = framework_edit_data(framework)
    data["recommendations-0-title"] = "Changed by a participant"
    assert_refused(getattr(participant_client, method)(edit_url(framework), data))
    assert_refused(participant_client.get(list_url()))
    assert not Recommendation.objects.filter(title="Changed by a participant").exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["analyst", "facilitator"])
def test_analysts_and_facilitators_are_forbidden(client, request, framework, role, method):
    """Organisation admins look after frameworks; analysts and facilitators use them."""
    client.force_login(request.getfixturevalue(role))
    data = framework_edit_data(framework)
    data["recommendations-0-title"] = f"Changed by an {role}"
    assert client.get(list_url()).status_code == 403
    assert getattr(client, method)(edit_url(framework), data).status_code == 403
    assert not Recommendation.objects.filter(title=f"Changed by an {role}").exists()


def test_organisation_admin_sees_the_framework_list(client, admin, framework):
    """The list shows each pillar and recommendation, flagging the one to complete."""
    client.force_login(admin)
    response = client.get(list_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert framework.name in content
    assert "National government should set out a new national ambition" in content
    assert "(to complete)" in content


def test_organisation_admin_opens_the_editor(client, admin, framework):
    """The editor shows every recommendation and marks recommendation 8 for completion."""
    client.force_login(admin)
    response = client.get(edit_url(framework))
    assert response.status_code == 200
    assert "Recommendation 8 – please complete" in response.content.decode()
    assert len(response.context["recommendations"].forms) == 8


def test_unchanged_editor_saves_cleanly(client, admin, framework):
    """Sending the editor back untouched is a valid save (the form round-trips)."""
    client.force_login(admin)
    response = client.post(edit_url(framework), framework_edit_data(framework))
    assert response.status_code == 302
    assert response.url == edit_url(framework)


def test_organisation_admin_changes_title_easy_read_and_pillar(client, admin, framework):
    """One save can retitle a recommendation, rewrite its Easy Read and move its pillar."""
    client.force_login(admin)
    rec8 = framework.recommendations().get(number=8)
    pillar_2 = framework.pillars.get(number=2)
    assert rec8.pillar.number == 1
    i = rec_index(framework, 8)
    data = framework_edit_data(framework)
    data[f"recommendations-{i}-title"] = "Invest in the early years"
    data[f"recommendations-{i}-easy_read"] = "More help for the youngest children."
    data[f"recommendations-{i}-pillar"] = pillar_2.pk
    response = client.post(edit_url(framework), data)
    assert response.status_code == 302
    rec8.refresh_from_db()
    assert rec8.title == "Invest in the early years"
    assert rec8.easy_read == "More help for the youngest children."
    assert rec8.pillar == pillar_2
    # The others are untouched.
    assert framework.recommendations().filter(pillar=pillar_2).count() == 5
    assert framework.recommendations().get(number=1).pillar.number == 1


def test_organisation_admin_can_complete_recommendation_8(client, admin, framework):
    """Unticking 'needs completion' saves."""
    client.force_login(admin)
    i = rec_index(framework, 8)
    data = framework_edit_data(framework)
    assert data[f"recommendations-{i}-needs_completion"] == "on"
    del data[f"recommendations-{i}-needs_completion"]
    assert client.post(edit_url(framework), data).status_code == 302
    assert not framework.recommendations().filter(needs_completion=True).exists()


def test_organisation_admin_edits_a_pillar_easy_read(client, admin, framework):
    """Pillar text is edited in the same form."""
    client.force_login(admin)
    data = framework_edit_data(framework)
    data["pillars-0-easy_read"] = "Enough people with the right skills."
    assert client.post(edit_url(framework), data).status_code == 302
    assert framework.pillars.get(number=1).easy_read == "Enough people with the right skills."


def test_duplicate_recommendation_numbers_are_refused_and_nothing_saved(client, admin, framework):
    """Two recommendations with one number: 400, the error shown, and no change saved."""
    client.force_login(admin)
    before = list(framework.recommendations().values_list("number", "title", "pillar"))
    data = framework_edit_data(framework)
    data["recommendations-0-title"] = "A title that must not be saved"
    data["recommendations-1-number"] = data["recommendations-0-number"]
    data["name"] = "A framework name that must not be saved"
    response = client.post(edit_url(framework), data)
    assert response.status_code == 400
    assert "Each recommendation needs its own number." in response.content.decode()
    assert list(framework.recommendations().values_list("number", "title", "pillar")) == before
    framework.refresh_from_db()
    assert framework.name != "A framework name that must not be saved"


def test_moving_a_recommendation_to_another_frameworks_pillar_is_refused(client, admin, framework):
    """A recommendation can only be moved to a pillar of its own framework."""
    elsewhere = Framework.objects.create(
        organisation=framework.organisation, name="Other", slug="other"
    )
    foreign = Pillar.objects.create(framework=elsewhere, number=1, title="Foreign")
    client.force_login(admin)
    data = framework_edit_data(framework)
    data["recommendations-0-pillar"] = foreign.pk
    response = client.post(edit_url(framework), data)
    assert response.status_code == 400
    assert not Recommendation.objects.filter(pillar=foreign).exists()
