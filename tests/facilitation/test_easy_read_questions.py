"""The facilitator's side of Easy Read: the questions page's Easy Read words, the console's
refusal to open a placeholder question without them, and a workshop made Easy Read by
default."""

import pytest
from django.urls import reverse

from tests.factories import SeriesFactory
from tests.helpers import form_post_data
from workshops.forms import PromptFormSet

pytestmark = pytest.mark.django_db


def prompts_page(workshop):
    return reverse("facilitation:prompts_edit", args=[workshop.pk])


def prompts_data(workshop):
    """The questions page sent back as drawn, its spare row (form-8) empty."""
    formset = PromptFormSet(
        queryset=workshop.prompts.all(), form_kwargs={"framework": workshop.series.framework}
    )
    return form_post_data(formset)


def test_the_questions_page_shows_each_questions_easy_read_words(client, facilitator, workshop):
    """Each question's Easy Read words are there to read and change."""
    client.force_login(facilitator)
    page = client.get(prompts_page(workshop)).content.decode()
    first = workshop.prompts.order_by("order").first()
    assert "Easy Read question" in page
    assert first.easy_read in page


def test_a_question_added_without_easy_read_takes_its_recommendations(
    client, facilitator, workshop
):
    """The spare row, sent with a recommendation and no Easy Read words, is saved with the
    recommendation's."""
    client.force_login(facilitator)
    recommendation = workshop.series.framework.recommendations().get(number=2)
    data = prompts_data(workshop)
    data.update(
        {
            "form-8-question": "What would a fair list of needs look like?",
            "form-8-recommendation": recommendation.pk,
            "form-8-order": "9",
        }
    )
    response = client.post(prompts_page(workshop), data)
    assert response.status_code == 302
    added = workshop.prompts.get(order=9)
    assert added.easy_read == recommendation.easy_read


def test_easy_read_words_can_be_changed_on_the_questions_page(client, facilitator, workshop):
    """Words that came from the recommendation are the facilitator's to rewrite."""
    client.force_login(facilitator)
    data = prompts_data(workshop)
    data["form-0-easy_read"] = "What should the government do first?"
    client.post(prompts_page(workshop), data)
    first = workshop.prompts.order_by("order").first()
    assert first.easy_read == "What should the government do first?"


def test_easy_read_words_that_are_too_long_are_refused_and_nothing_is_saved(
    client, facilitator, workshop
):
    """400, the GOV.UK error beside the field, and every question as it was."""
    client.force_login(facilitator)
    before = list(workshop.prompts.values_list("easy_read", flat=True))
    data = prompts_data(workshop)
    data["form-0-easy_read"] = "x" * 501
    data["form-1-easy_read"] = "Short and fine"
    response = client.post(prompts_page(workshop), data)
    assert response.status_code == 400
    assert "Easy Read question must be 500 characters or fewer (it has 501)" in (
        response.content.decode()
    )
    assert list(workshop.prompts.values_list("easy_read", flat=True)) == before


def test_the_console_refuses_to_open_a_placeholder_question_and_says_why(
    client, facilitator, workshop
):
    """The message asks for Easy Read words; the question stays closed, its text as it was."""
    client.force_login(facilitator)
    prompt = workshop.prompts.get(recommendation__needs_completion=True)
    url = reverse("facilitation:prompt_toggle", args=[workshop.pk, prompt.pk])
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("facilitation:console", args=[workshop.pk])
    page = response.content.decode()
    assert "Please add an Easy Read version of this question before you open it." in page
    prompt.refresh_from_db()
    assert not prompt.is_open
    assert prompt.question.startswith("Recommendation 8.")


def test_a_workshop_made_with_easy_read_by_default_keeps_it(client, facilitator):
    """The new-workshop form offers the box, and a ticked box is kept."""
    series = SeriesFactory()
    client.force_login(facilitator)
    page = client.get(reverse("facilitation:series_detail", args=[series.pk])).content.decode()
    assert "Easy Read by default" in page
    client.post(
        reverse("facilitation:series_detail", args=[series.pk]),
        {
            "title": "Young people's session",
            "kind": "regional",
            "starts_at_day": "2",
            "starts_at_month": "3",
            "starts_at_year": "2026",
            "starts_at_time": "10:00",
            "easy_read_default": "on",
        },
    )
    assert series.workshops.get().easy_read_default


def test_the_workshop_form_with_bad_input_saves_nothing(client, facilitator):
    """A ticked Easy Read box with no title or date: 400, both errors, no workshop."""
    series = SeriesFactory()
    client.force_login(facilitator)
    response = client.post(
        reverse("facilitation:series_detail", args=[series.pk]),
        {"kind": "regional", "easy_read_default": "on"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the workshop’s title" in page
    assert "Enter the date and time the workshop starts" in page
    assert not series.workshops.exists()
