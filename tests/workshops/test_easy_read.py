"""Easy Read questions: new questions start from their recommendation's Easy Read words, the
facilitator can change them, and a placeholder recommendation's question cannot open
without some; a workshop can open phones in Easy Read."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import SeriesFactory, make_workshop
from workshops import services
from workshops.forms import PromptForm, WorkshopForm
from workshops.models import Prompt

pytestmark = pytest.mark.django_db

REFUSED = "Please add an Easy Read version of this question before you open it."


def placeholder_prompt(workshop):
    return workshop.prompts.get(recommendation__needs_completion=True)


def test_a_new_workshops_questions_start_with_their_recommendations_easy_read():
    """Each question made with a workshop carries its recommendation's Easy Read words; the
    placeholder recommendation has none, so neither has its question."""
    workshop = make_workshop(status="draft")
    for prompt in workshop.prompts.select_related("recommendation"):
        assert prompt.easy_read == prompt.recommendation.easy_read
    assert placeholder_prompt(workshop).easy_read == ""
    assert workshop.prompts.exclude(easy_read="").count() == 7


def test_default_prompt_is_unsaved_and_has_both_wordings():
    """The one place a recommendation's question is made, for the workshop service and the
    demo alike: question and Easy Read words, in the recommendation's order."""
    workshop = make_workshop(status="draft")
    recommendation = workshop.series.framework.recommendations().first()
    prompt = services.default_prompt(workshop=workshop, recommendation=recommendation)
    assert prompt.pk is None
    assert prompt.question == services.default_question(recommendation)
    assert prompt.easy_read == recommendation.easy_read
    assert prompt.order == recommendation.number


def test_workshop_create_keeps_the_easy_read_default():
    """A workshop made for young people opens phones in Easy Read; others do not."""
    series = SeriesFactory()
    assert make_workshop(series=series, easy_read_default=True).easy_read_default
    assert not make_workshop(series=series).easy_read_default


def test_prompt_save_fills_an_empty_easy_read_from_the_recommendation_on_create():
    """A question added with a recommendation and no Easy Read words takes the
    recommendation's, even when only spaces were typed."""
    workshop = make_workshop(status="draft")
    recommendation = workshop.series.framework.recommendations().first()
    prompt = services.prompt_save(
        prompt=Prompt(
            workshop=workshop, recommendation=recommendation, question="New?", easy_read="  "
        )
    )
    prompt.refresh_from_db()
    assert prompt.easy_read == recommendation.easy_read


def test_prompt_save_keeps_the_facilitators_own_easy_read():
    """Words the facilitator wrote are never replaced by the recommendation's."""
    workshop = make_workshop(status="draft")
    recommendation = workshop.series.framework.recommendations().first()
    prompt = Prompt(
        workshop=workshop,
        recommendation=recommendation,
        question="New?",
        easy_read="What helps you at school?",
    )
    services.prompt_save(prompt=prompt)
    prompt.refresh_from_db()
    assert prompt.easy_read == "What helps you at school?"


def test_prompt_save_leaves_an_emptied_existing_question_empty():
    """Only a new question is filled in: one whose Easy Read words were deleted on purpose
    stays without, and phones in Easy Read show its question."""
    workshop = make_workshop(status="draft")
    prompt = workshop.prompts.exclude(easy_read="").first()
    prompt.easy_read = ""
    services.prompt_save(prompt=prompt)
    prompt.refresh_from_db()
    assert prompt.easy_read == ""


def test_prompt_save_without_a_recommendation_stays_without_easy_read():
    """A question of the facilitator's own has nothing to start from."""
    workshop = make_workshop(status="draft")
    prompt = services.prompt_save(prompt=Prompt(workshop=workshop, question="Anything else?"))
    prompt.refresh_from_db()
    assert prompt.easy_read == ""


def test_opening_a_placeholder_question_without_easy_read_is_refused(announced):
    """The refusal says what to do; the question stays closed and nothing is announced."""
    workshop = make_workshop(open_prompts=0)
    prompt = placeholder_prompt(workshop)
    with pytest.raises(ValidationError) as refusal:
        services.prompt_set_open(prompt=prompt, is_open=True)
    assert REFUSED in refusal.value.messages[0]
    assert "Questions page" in refusal.value.messages[0]
    prompt.refresh_from_db()
    assert not prompt.is_open
    assert announced == []


def test_a_placeholder_question_opens_once_it_has_easy_read_words():
    """Words written by the facilitator are all it asks for."""
    workshop = make_workshop(open_prompts=0)
    prompt = placeholder_prompt(workshop)
    prompt.easy_read = "What should happen next?"
    prompt.save(update_fields=["easy_read"])
    services.prompt_set_open(prompt=prompt, is_open=True)
    prompt.refresh_from_db()
    assert prompt.is_open


def test_an_open_placeholder_question_without_easy_read_can_still_close():
    """Only opening asks for Easy Read words: closing is never held up."""
    workshop = make_workshop(open_prompts=0)
    prompt = placeholder_prompt(workshop)
    Prompt.objects.filter(pk=prompt.pk).update(is_open=True)
    prompt.refresh_from_db()
    services.prompt_set_open(prompt=prompt, is_open=False)
    prompt.refresh_from_db()
    assert not prompt.is_open


def test_a_question_of_the_facilitators_own_opens_without_easy_read():
    """Without a placeholder recommendation, phones in Easy Read fall back to the question."""
    workshop = make_workshop(open_prompts=0)
    prompt = Prompt.objects.create(workshop=workshop, question="Anything else?", order=99)
    services.prompt_set_open(prompt=prompt, is_open=True)
    prompt.refresh_from_db()
    assert prompt.is_open


# The forms


def test_prompt_form_refuses_easy_read_words_that_are_too_long():
    """Over 500 characters: a message naming the field and the limit, nothing cleaned."""
    workshop = make_workshop(status="draft")
    form = PromptForm(
        {"question": "Why?", "easy_read": "x" * 501, "order": "1"},
        framework=workshop.series.framework,
    )
    assert not form.is_valid()
    assert form.errors["easy_read"] == [
        "Easy Read question must be 500 characters or fewer (it has 501)"
    ]


def test_prompt_form_takes_easy_read_words_and_allows_none():
    """Easy Read words are optional on the form: the service fills a new question's in."""
    workshop = make_workshop(status="draft")
    framework = workshop.series.framework
    written = PromptForm(
        {"question": "Why?", "easy_read": "Why?", "order": "1"}, framework=framework
    )
    empty = PromptForm({"question": "Why?", "easy_read": "", "order": "1"}, framework=framework)
    assert written.is_valid() and written.cleaned_data["easy_read"] == "Why?"
    assert empty.is_valid() and empty.cleaned_data["easy_read"] == ""


def test_workshop_form_easy_read_default_is_a_checkbox_left_off_unless_ticked():
    """Unticked, a checkbox is absent from the POST: off, never an error."""
    base = {
        "title": "Young people's session",
        "kind": "regional",
        "starts_at_day": "2",
        "starts_at_month": "3",
        "starts_at_year": "2026",
        "starts_at_time": "10:00",
    }
    ticked = WorkshopForm({**base, "easy_read_default": "on"})
    unticked = WorkshopForm(base)
    assert ticked.is_valid() and ticked.cleaned_data["easy_read_default"] is True
    assert unticked.is_valid() and unticked.cleaned_data["easy_read_default"] is False


def test_workshop_form_with_bad_input_names_what_to_fix():
    """A ticked box does not make up for a missing title and date: each gets its message."""
    form = WorkshopForm({"kind": "regional", "easy_read_default": "on"})
    assert not form.is_valid()
    assert form.errors["title"] == ["Enter the workshop’s title"]
    assert form.errors["starts_at"] == ["Enter the date and time the workshop starts"]
