"""Tests for workshops.services and the join-code selectors."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import SeriesFactory, make_workshop, send_reform
from workshops import services
from workshops.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, Workshop, new_join_code
from workshops.selectors import normalise_join_code, workshop_by_code

pytestmark = pytest.mark.django_db


def create(**fields):
    fields.setdefault("title", "Leeds regional workshop")
    fields.setdefault("starts_at", timezone.now())
    return services.workshop_create(series=fields.pop("series", None) or SeriesFactory(), **fields)


# workshop_create


def test_workshop_create_makes_one_prompt_per_recommendation_in_number_order():
    """A SEND reform workshop starts with eight prompts, one per recommendation, ordered 1-8."""
    workshop = create()
    prompts = list(workshop.prompts.order_by("order", "pk").select_related("recommendation"))
    assert len(prompts) == 8
    assert [p.recommendation.number for p in prompts] == list(range(1, 9))
    assert [p.order for p in prompts] == list(range(1, 9))
    assert {p.recommendation_id for p in prompts} == {r.pk for r in send_reform().recommendations()}


def test_workshop_create_prompts_ask_about_their_recommendation_and_start_closed():
    """Each default question names its recommendation; nothing is open before the start."""
    workshop = create()
    assert workshop.status == Workshop.Status.DRAFT
    for prompt in workshop.prompts.select_related("recommendation"):
        assert prompt.recommendation.title in prompt.question
        assert prompt.is_open is False


def test_workshop_create_prompts_follow_an_edited_grouping():
    """Prompts follow recommendation numbers, whatever pillar each recommendation sits under."""
    framework = send_reform()
    rec = framework.recommendations().get(number=2)
    rec.pillar = framework.pillars.get(number=1)
    rec.save()
    numbers = [p.recommendation.number for p in create().prompts.select_related("recommendation")]
    assert numbers == list(range(1, 9))


def test_workshop_create_refuses_invalid_fields_and_saves_nothing():
    """An invalid workshop (no title) is refused before anything is written."""
    series = SeriesFactory()
    with pytest.raises(ValidationError):
        services.workshop_create(series=series, title="", starts_at=timezone.now())
    assert not Workshop.objects.filter(series=series).exists()


# workshop_set_status


def test_closing_a_workshop_closes_its_prompts():
    """A closed workshop takes no posts, so none of its prompts stays open."""
    workshop = make_workshop(open_prompts=3)
    assert workshop.prompts.filter(is_open=True).count() == 3
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CLOSED
    assert not workshop.prompts.filter(is_open=True).exists()


def test_returning_a_workshop_to_draft_closes_its_prompts():
    """Going back to draft also closes every prompt."""
    workshop = make_workshop(open_prompts=2)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.DRAFT)
    assert not workshop.prompts.filter(is_open=True).exists()


def test_starting_a_workshop_leaves_prompts_as_they_were():
    """Going live does not open prompts by itself: the facilitator opens each one."""
    workshop = make_workshop(status=Workshop.Status.DRAFT)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
    workshop.refresh_from_db()
    assert workshop.is_live
    assert not workshop.prompts.filter(is_open=True).exists()


def open_questions(workshop):
    return set(workshop.prompts.filter(is_open=True).values_list("pk", flat=True))


@pytest.mark.parametrize("via", [[], [Workshop.Status.DRAFT]], ids=["closed", "closed-then-draft"])
def test_closing_and_reopening_keeps_each_question_open_or_closed_as_it_was(via):
    """Reopened, a workshop has the same questions open as when it closed, and no others."""
    workshop = make_workshop(open_prompts=3)
    first, second, third = workshop.prompts.filter(is_open=True)
    services.prompt_set_open(prompt=second, is_open=False)
    was_open = {first.pk, third.pk}
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    assert open_questions(workshop) == set()
    for status in via:
        services.workshop_set_status(workshop=workshop, status=status)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
    assert open_questions(workshop) == was_open
    # Once reopened, a later close remembers afresh.
    services.prompt_set_open(prompt=third, is_open=False)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
    assert open_questions(workshop) == {first.pk}


def test_closing_a_closed_workshop_again_forgets_nothing():
    """Choosing Close twice (two consoles at once) still reopens the same questions."""
    workshop = make_workshop(open_prompts=2)
    was_open = open_questions(workshop)
    for _ in range(2):
        services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
    assert open_questions(workshop) == was_open


@pytest.mark.parametrize("status", ["", None, "open", "LIVE"])
def test_set_status_refuses_unknown_status(status):
    """An unknown status is refused and the workshop is unchanged."""
    workshop = make_workshop()
    with pytest.raises(ValidationError):
        services.workshop_set_status(workshop=workshop, status=status)
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.LIVE
    assert workshop.prompts.filter(is_open=True).count() == 1


# prompt_set_open


def test_prompt_set_open_opens_and_closes_in_a_live_workshop():
    """In a live workshop a facilitator can open and close a question."""
    workshop = make_workshop(open_prompts=0)
    prompt = workshop.prompts.first()
    services.prompt_set_open(prompt=prompt, is_open=True)
    prompt.refresh_from_db()
    assert prompt.is_open
    services.prompt_set_open(prompt=prompt, is_open=False)
    prompt.refresh_from_db()
    assert not prompt.is_open


@pytest.mark.parametrize("status", [Workshop.Status.DRAFT, Workshop.Status.CLOSED])
def test_prompt_set_open_refused_when_workshop_not_live(status):
    """A question cannot be opened before the workshop starts or after it closes."""
    workshop = make_workshop(status=status)
    prompt = workshop.prompts.first()
    with pytest.raises(ValidationError):
        services.prompt_set_open(prompt=prompt, is_open=True)
    prompt.refresh_from_db()
    assert not prompt.is_open


def test_prompt_can_be_closed_when_workshop_not_live():
    """Closing a question is always allowed."""
    workshop = make_workshop(status=Workshop.Status.DRAFT)
    prompt = workshop.prompts.first()
    services.prompt_set_open(prompt=prompt, is_open=False)
    prompt.refresh_from_db()
    assert not prompt.is_open


# join codes


def test_join_code_alphabet_has_no_ambiguous_characters():
    """Codes are read off a projector: no 0/O or 1/I/L, and only capitals and digits."""
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)
    assert all(ch.isupper() or ch.isdigit() for ch in JOIN_CODE_ALPHABET)
    assert len(set(JOIN_CODE_ALPHABET)) == len(JOIN_CODE_ALPHABET)


def test_new_join_codes_are_seven_chars_from_the_alphabet():
    """Every generated code is 7 characters drawn from the unambiguous alphabet."""
    codes = [new_join_code() for _ in range(500)]
    assert JOIN_CODE_LENGTH == 7
    for code in codes:
        assert len(code) == 7
        assert set(code) <= set(JOIN_CODE_ALPHABET)


def test_workshops_get_distinct_join_codes():
    """Each workshop has its own valid code."""
    series = SeriesFactory()
    codes = [create(series=series).join_code for _ in range(25)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 7
        assert set(code) <= set(JOIN_CODE_ALPHABET)


def test_join_code_is_unique_in_the_database():
    """Two workshops cannot share a code, even if one were forced to."""
    first, second = make_workshop(), make_workshop()
    second.join_code = first.join_code
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save(update_fields=["join_code"])


# normalise_join_code / workshop_by_code


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abc2def", "ABC2DEF"),
        ("ABC2DEF", "ABC2DEF"),
        ("abc-2def", "ABC2DEF"),
        (" ab c2 def ", "ABC2DEF"),
        ("AB-C2-DE F", "ABC2DEF"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_join_code(typed, expected):
    """Case, spaces and dashes do not matter."""
    assert normalise_join_code(typed) == expected


@pytest.fixture
def coded_workshop():
    workshop = make_workshop()
    workshop.join_code = "K7MPX2Q"
    workshop.save(update_fields=["join_code"])
    return workshop


@pytest.mark.parametrize("typed", ["K7MPX2Q", "k7mpx2q", "k7m-px2q", " K7M PX2Q ", "k7-mp-x2-q"])
def test_workshop_by_code_is_forgiving_to_type(coded_workshop, typed):
    """Lower case, spaces and dashes still find the workshop."""
    assert workshop_by_code(typed) == coded_workshop


@pytest.mark.parametrize(
    "typed",
    ["", None, "   ", "---", "K7MPX2", "K7MPX2QQ", "ZZZZZZZ"],
    ids=["empty", "none", "spaces", "dashes", "too-short", "too-long", "unknown"],
)
def test_workshop_by_code_unknown_is_none(coded_workshop, typed):
    """Nothing, or a code no workshop has, finds nothing."""
    assert workshop_by_code(typed) is None


@pytest.mark.parametrize("ambiguous", ["0", "O", "o", "1", "I", "i", "L", "l"])
def test_workshop_by_code_with_ambiguous_characters_is_none(ambiguous):
    """A code with a character no code can contain finds nothing, even if stored that way."""
    workshop = make_workshop()
    stored = "K7MPX2" + ambiguous.upper()
    workshop.join_code = stored
    workshop.save(update_fields=["join_code"])
    assert workshop_by_code("K7MPX2" + ambiguous) is None


def test_workshop_by_code_ignores_other_punctuation_but_not_lookalikes(coded_workshop):
    """Punctuation is dropped; non-ASCII lookalikes of valid characters find nothing."""
    assert workshop_by_code("K7M.PX2Q") == coded_workshop
    assert workshop_by_code("Ｋ7MPX2Q") is None  # full-width K
