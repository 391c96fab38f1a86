"""Tests for reading demo/content/*.yaml: a content editor's mistake is named, with its file."""

import shutil

import pytest
from django.core.management.base import CommandError

from demo import loader


@pytest.fixture
def content(tmp_path):
    """A copy of the shipped content, for a test to break."""
    for path in loader.CONTENT_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def edit(path, old, new):
    """Replace the one occurrence of `old` in the file at `path`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"expected {old!r} once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def load_error(directory):
    with pytest.raises(CommandError) as raised:
        loader.load(directory)
    return str(raised.value)


def test_the_shipped_content_loads():
    """Three workshops, one of them live as SEND25, and every post's author in its roster."""
    content = loader.load()
    assert [spec.key for spec in content.workshops] == ["north-west", "south-west", "national"]
    assert content.live_workshop.join_code == "SEND25"
    assert len(content.posts) == 45
    live = content.live_workshop
    assert sum(len(live.people(group)) for group in loader.GROUPS) == 46
    assert sum(bool(post.camp_votes) for post in content.posts) == 11
    assert sum(post.hidden for post in content.posts) == 1


def test_a_nameless_author_is_found_by_seat(content):
    """{group, seat} names the Nth person in the group's roster, counting from 1."""
    posts = loader.load(content).posts
    quicker_redress = next(post for post in posts if post.key == "quicker-redress")
    assert quicker_redress.author == ("pcf", 1)


@pytest.mark.parametrize(
    ("file", "old", "new"),
    [
        ("workshops.yaml", "other: [Ruth]", "carers: [Ruth]"),
        ("posts.yaml", "{everyone: agree, other: split}", "{everyone: agree, carers: split}"),
        ("posts.yaml", "{group: pcf, name: Sarah}", "{group: carers, name: Sarah}"),
    ],
)
def test_an_unknown_group_is_named(content, file, old, new):
    """In a roster, in a post's votes or as an author's group."""
    edit(content / file, old, new)
    message = load_error(content)
    assert str(content / file) in message
    assert "unknown group carers" in message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("{group: pcf, name: Sarah}", "{group: pcf, name: Sara}"),
        ("{group: pcf, name: Sarah}", "{group: education, name: Sarah}"),
        ("{group: pcf, seat: 2}", "{group: pcf, seat: 5}"),
    ],
)
def test_an_author_not_in_the_roster_is_named(content, old, new):
    edit(content / "posts.yaml", old, new)
    message = load_error(content)
    assert str(content / "posts.yaml") in message
    assert "is not in the" in message and "roster" in message


def test_an_unknown_recommendation_is_named(content):
    """The framework has recommendations 1 to 8; a post under 9 has no prompt to go in."""
    edit(content / "posts.yaml", "recommendation: 7", "recommendation: 9")
    message = load_error(content)
    assert str(content / "posts.yaml") in message
    assert "post 'independent-sector' in national" in message
    assert "unknown recommendation 9" in message


def test_an_unknown_open_recommendation_is_named(content):
    edit(content / "workshops.yaml", "open_recommendations: [1, 3, 4]", "open_recommendations: [0]")
    message = load_error(content)
    assert str(content / "workshops.yaml") in message
    assert "unknown recommendation 0" in message


def test_an_unknown_vote_letter_is_named(content):
    edit(content / "posts.yaml", "agree: AAAX", "agree: AAAZ")
    message = load_error(content)
    assert str(content / "posts.yaml") in message
    assert "vote pattern 'agree'" in message
    assert "unknown vote letter Z" in message


def test_an_unknown_vote_pattern_is_named(content):
    old, new = "{everyone: agree, other: split}", "{everyone: agree, other: halves}"
    edit(content / "posts.yaml", old, new)
    message = load_error(content)
    assert "post 'toll' in national" in message
    assert "unknown vote pattern 'halves'" in message


def test_a_file_that_is_not_yaml_is_named(content):
    edit(content / "series.yaml", "framework: send-reform", "framework: [send-reform")
    message = load_error(content)
    assert str(content / "series.yaml") in message
    assert "is not valid YAML" in message


def test_a_headline_statement_without_a_post_is_named(content):
    edit(content / "series.yaml", "[pillar-2-needed, broken]", "[pillar-2-needed, broken, labels]")
    message = load_error(content)
    assert str(content / "series.yaml") in message
    assert "labels" in message


def test_a_theme_statement_without_a_post_is_named(content):
    """A theme's statement key that no post makes is named, as a headline's would be."""
    edit(content / "series.yaml", "statements: [workforce]", "statements: [workforse]")
    message = load_error(content)
    assert str(content / "series.yaml") in message
    assert "workforse" in message


def test_a_theme_without_statements_is_named(content):
    edit(content / "series.yaml", "statements: [workforce]", "statements: []")
    message = load_error(content)
    assert "themes, number 2" in message
    assert "statements should be a list of post keys" in message


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("pcf: AAABAAABAABBAA", "pcf: AAABAAABAABBA", "pcf has 14 people but 13 camp letters"),
        ("pcf: AAABAAABAABBAA", "pcf: AAABAAAB-ABBAA", "one capital letter per person"),
        ("other: BA", "carers: BA", "unknown group carers"),
    ],
)
def test_a_camp_that_does_not_fit_the_people_is_named(content, old, new, problem):
    """Every person of the live workshop, roster and voters, has exactly one camp letter."""
    edit(content / "workshops.yaml", old, new)
    message = load_error(content)
    assert str(content / "workshops.yaml") in message
    assert "workshop 'national' camps" in message
    assert problem in message


def test_a_post_voted_by_an_unknown_camp_is_named(content):
    edit(content / "posts.yaml", "camps: {A: agree, B: agree}", "camps: {A: agree, C: agree}")
    message = load_error(content)
    assert "post 'ask-us-first' in national" in message
    assert "camps should name each of the workshop's camps (A, B)" in message


def test_a_post_voted_both_by_group_and_by_camp_is_named(content):
    old = "camps: {A: agree, B: agree}"
    edit(content / "posts.yaml", old, old + "\n    votes: {everyone: agree}")
    message = load_error(content)
    assert "post 'ask-us-first' in national" in message
    assert "by group ('votes') or by camp ('camps'), not both" in message


def test_a_post_voted_by_camp_where_there_are_none_is_named(content):
    edit(
        content / "posts.yaml",
        "workshop: national\n    key: ask-us-first",
        "workshop: north-west\n    key: ask-us-first",
    )
    message = load_error(content)
    assert "post 'ask-us-first' in north-west" in message
