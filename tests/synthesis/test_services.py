"""The analyst's write actions (synthesis.services): judgements, themes and key findings,
with their refusals leaving nothing changed."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from participants.models import Contribution, Vote
from synthesis import services
from synthesis.board import find_item
from synthesis.models import Finding, Judgement, Theme
from synthesis.stats import Verdict
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    SeriesFactory,
    VoteFactory,
    make_workshop,
    send_reform,
    stakeholder_group,
)

pytestmark = pytest.mark.django_db


def give_votes(post, slug, agree=0, disagree=0, passes=0):
    """Give `post` votes from new participants of group `slug` in its workshop."""
    group = stakeholder_group(slug)
    for choice, count in (
        (Vote.Choice.AGREE, agree),
        (Vote.Choice.DISAGREE, disagree),
        (Vote.Choice.PASS, passes),
    ):
        for _ in range(count):
            person = ParticipantFactory(workshop=post.workshop, group=group)
            VoteFactory(contribution=post, participant=person, choice=choice)


def post_in(workshop, slug="young_person", rec_number=1, **fields):
    author = ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
    prompt = workshop.prompts.get(recommendation__number=rec_number)
    return ContributionFactory(participant=author, prompt=prompt, **fields)


@pytest.fixture
def scene(analyst):
    """A series of two workshops. Its first post is common ground among three groups; there
    are two more visible posts, a hidden one, and a post in another series."""
    series = SeriesFactory()
    leeds = make_workshop(series=series, region="North")
    london = make_workshop(series=series, region="South")
    agreed = post_in(leeds, rec_number=3)
    for slug in ("pcf", "education", "local_government"):
        give_votes(agreed, slug, 3)
    return SimpleNamespace(
        series=series,
        analyst=analyst,
        agreed=agreed,
        leeds_post=post_in(leeds, rec_number=4),
        london_post=post_in(london, rec_number=5),
        hidden=post_in(london, state=Contribution.State.HIDDEN),
        elsewhere=post_in(make_workshop()),
    )


def record(scene, verdict, reason="", kind="contribution", pk=None):
    return services.judgement_record(
        series=scene.series,
        item=find_item(scene.series, kind, pk or scene.agreed.pk),
        verdict=verdict,
        reason=reason,
        user=scene.analyst,
    )


def error_text(excinfo, field):
    return " ".join(excinfo.value.message_dict[field])


# Judgements


def test_confirming_needs_no_reason(scene):
    """Keeping the suggested class is a confirmation: saved without a reason."""
    judgement = record(scene, Verdict.COMMON_GROUND)
    judgement.refresh_from_db()
    assert judgement.contribution == scene.agreed
    assert judgement.series == scene.series
    assert (judgement.verdict, judgement.computed) == ("common_ground", "common_ground")
    assert judgement.reason == ""
    assert judgement.decided_by == scene.analyst
    assert not judgement.is_override


@pytest.mark.parametrize("reason", ["", "   "])
def test_override_without_a_reason_is_refused_and_nothing_saved(scene, reason):
    """Changing the class needs a reason; a blank one saves nothing."""
    with pytest.raises(ValidationError) as excinfo:
        record(scene, Verdict.MIXED, reason)
    assert "why" in error_text(excinfo, "reason")
    assert not Judgement.objects.exists()


def test_override_with_a_reason_keeps_the_computed_class(scene):
    """An override is saved with its reason, beside the class the rule suggested."""
    judgement = record(scene, Verdict.MIXED, "  The room was divided in discussion  ")
    judgement.refresh_from_db()
    assert judgement.verdict == Verdict.MIXED
    assert judgement.computed == Verdict.COMMON_GROUND
    assert judgement.reason == "The room was divided in discussion"
    assert judgement.is_override


def test_deciding_again_updates_the_one_row(scene):
    """A second decision on the same item replaces the first rather than adding a row."""
    first = record(scene, Verdict.COMMON_GROUND)
    second = record(scene, Verdict.DEBATE_DIVERGENT, "Health disagreed strongly in the room")
    assert Judgement.objects.count() == 1
    assert second.pk == first.pk
    second.refresh_from_db()
    assert second.verdict == Verdict.DEBATE_DIVERGENT
    assert second.reason == "Health disagreed strongly in the room"


def test_a_new_decision_records_the_class_suggested_now(scene):
    """Votes cast between decisions update the computed class kept with the decision."""
    record(scene, Verdict.COMMON_GROUND)
    give_votes(scene.agreed, "health", 0, 4)
    judgement = record(scene, Verdict.COMMON_GROUND, "Health's view was heard later")
    assert judgement.computed == Verdict.DEBATE_OPPOSED
    assert Judgement.objects.count() == 1


@pytest.mark.parametrize("verdict", ["nonsense", "", None, "Common ground"])
def test_an_unknown_class_is_refused(scene, verdict):
    """Only the classes of the rule can be chosen, whatever the reason given."""
    with pytest.raises(ValidationError) as excinfo:
        record(scene, verdict, "A reason")
    assert "verdict" in excinfo.value.message_dict
    assert not Judgement.objects.exists()


def test_a_theme_can_be_judged(scene):
    """Themes are judged like posts, and each keeps its own decision."""
    theme = services.theme_create(
        series=scene.series,
        title="Joined-up plans",
        contribution_ids=[scene.leeds_post.pk, scene.london_post.pk],
        user=scene.analyst,
    )
    judgement = record(scene, Verdict.SHARED_REJECTION, "Rejected out loud", "theme", theme.pk)
    record(scene, Verdict.COMMON_GROUND)
    assert judgement.theme == theme
    assert judgement.contribution is None
    assert judgement.computed == Verdict.INSUFFICIENT_DATA
    assert Judgement.objects.count() == 2


def test_withdrawing_a_judgement_deletes_it(scene):
    judgement = record(scene, Verdict.MIXED, "Divided")
    services.judgement_withdraw(judgement=judgement)
    assert not Judgement.objects.exists()
    assert Contribution.objects.filter(pk=scene.agreed.pk).exists()


# Themes


def make_theme(scene, *posts, title="Key workers"):
    return services.theme_create(
        series=scene.series,
        title=title,
        contribution_ids=[post.pk for post in posts],
        user=scene.analyst,
    )


def test_theme_create_links_visible_posts(scene):
    """A theme links two or more visible posts of the series and records who made it."""
    theme = make_theme(scene, scene.leeds_post, scene.london_post, title="  Key workers  ")
    assert theme.title == "Key workers"
    assert set(theme.contributions.all()) == {scene.leeds_post, scene.london_post}
    assert theme.created_by == scene.analyst
    assert theme.series == scene.series


def test_a_theme_spanning_two_recommendations_lists_both(scene):
    """A theme's recommendations are those of its posts, by number, each once."""
    also_on_4 = post_in(scene.london_post.workshop, rec_number=4)
    theme = make_theme(scene, scene.london_post, scene.leeds_post, also_on_4)
    assert [rec.number for rec in theme.recommendations()] == [4, 5]


@pytest.mark.parametrize("count", [0, 1, 2], ids=["none", "one", "one-twice"])
def test_theme_create_needs_two_posts(scene, count):
    """Fewer than two different posts make no theme."""
    ids = [scene.leeds_post.pk] * count
    with pytest.raises(ValidationError) as excinfo:
        services.theme_create(
            series=scene.series, title="Lonely", contribution_ids=ids, user=scene.analyst
        )
    assert "at least two" in error_text(excinfo, "contributions")
    assert not Theme.objects.exists()


@pytest.mark.parametrize("bad", ["unknown", "hidden", "elsewhere"])
def test_theme_create_names_posts_that_cannot_be_linked(scene, bad):
    """A number that is not a visible post of this series is named, and nothing is made."""
    number = 999_999 if bad == "unknown" else getattr(scene, bad).pk
    with pytest.raises(ValidationError) as excinfo:
        services.theme_create(
            series=scene.series,
            title="Key workers",
            contribution_ids=[scene.leeds_post.pk, number],
            user=scene.analyst,
        )
    assert error_text(excinfo, "contributions").endswith(f"this series: {number}.")
    assert not Theme.objects.exists()


def test_theme_create_names_every_bad_number(scene):
    """All the numbers that cannot be linked are named together."""
    bad = [999_998, scene.hidden.pk, scene.elsewhere.pk]
    with pytest.raises(ValidationError) as excinfo:
        services.theme_create(
            series=scene.series,
            title="Key workers",
            contribution_ids=[scene.leeds_post.pk, *bad],
            user=scene.analyst,
        )
    message = error_text(excinfo, "contributions")
    assert all(str(n) in message for n in bad)


def test_a_post_can_be_in_two_themes(scene):
    """A post already in a theme can be linked into another; the first theme keeps it."""
    first = make_theme(scene, scene.leeds_post, scene.london_post)
    second = make_theme(scene, scene.london_post, scene.agreed, title="Second")
    assert set(first.contributions.all()) == {scene.leeds_post, scene.london_post}
    assert set(second.contributions.all()) == {scene.london_post, scene.agreed}
    assert set(scene.london_post.themes.all()) == {first, second}


def test_theme_create_refuses_a_blank_title(scene):
    with pytest.raises(ValidationError):
        make_theme(scene, scene.leeds_post, scene.london_post, title="   ")
    assert not Theme.objects.exists()


def test_theme_update_changes_title_and_posts(scene):
    """An update may keep the theme's own posts and add others."""
    theme = make_theme(scene, scene.leeds_post, scene.london_post)
    services.theme_update(
        theme=theme,
        title="Named key workers",
        contribution_ids=[scene.leeds_post.pk, scene.london_post.pk, scene.agreed.pk],
    )
    theme.refresh_from_db()
    assert theme.title == "Named key workers"
    assert set(theme.contributions.all()) == {scene.leeds_post, scene.london_post, scene.agreed}
    assert Theme.objects.count() == 1


def assert_theme_unchanged(scene, theme):
    theme.refresh_from_db()
    assert theme.title == "Key workers"
    assert set(theme.contributions.all()) == {scene.leeds_post, scene.london_post}


@pytest.mark.parametrize("bad", ["one", "unknown", "hidden", "elsewhere"])
def test_theme_update_refusals_change_nothing(scene, bad):
    """A refused update leaves the title and the linked posts as they were."""
    theme = make_theme(scene, scene.leeds_post, scene.london_post)
    ids = {
        "one": [scene.leeds_post.pk],
        "unknown": [scene.leeds_post.pk, 999_999],
        "hidden": [scene.leeds_post.pk, scene.hidden.pk],
        "elsewhere": [scene.leeds_post.pk, scene.elsewhere.pk],
    }[bad]
    with pytest.raises(ValidationError) as excinfo:
        services.theme_update(theme=theme, title="Changed", contribution_ids=ids)
    if bad != "one":
        assert str(ids[1]) in error_text(excinfo, "contributions")
    assert_theme_unchanged(scene, theme)


def test_theme_update_may_take_a_post_of_another_theme(scene):
    """An update may link a post another theme has too; that theme keeps its posts."""
    theme = make_theme(scene, scene.leeds_post, scene.london_post)
    other_post = post_in(scene.agreed.workshop)
    other = make_theme(scene, scene.agreed, other_post, title="Other")
    services.theme_update(
        theme=theme, title="Changed", contribution_ids=[scene.leeds_post.pk, scene.agreed.pk]
    )
    assert set(theme.contributions.all()) == {scene.leeds_post, scene.agreed}
    assert set(other.contributions.all()) == {scene.agreed, other_post}


def test_theme_delete_keeps_the_posts_and_drops_its_judgement(scene):
    theme = make_theme(scene, scene.leeds_post, scene.london_post)
    Judgement.objects.create(
        series=scene.series, theme=theme, verdict="mixed", computed="insufficient_data"
    )
    services.theme_delete(theme=theme)
    assert not Theme.objects.exists()
    assert not Judgement.objects.exists()
    assert (
        Contribution.objects.filter(pk__in=[scene.leeds_post.pk, scene.london_post.pk]).count() == 2
    )


# Findings


def save_finding(scene, **changes):
    fields = {
        "series": scene.series,
        "title": "Families want one named contact",
        "body": "Every group agreed on a named key worker.",
        "kind": Finding.Kind.COMMON_GROUND,
        "user": scene.analyst,
    }
    return services.finding_save(**{**fields, **changes})


def test_finding_save_with_evidence(scene):
    """A finding keeps its posts and themes as evidence."""
    theme = make_theme(scene, scene.leeds_post, scene.london_post)
    pillar = send_reform().pillars.first()
    finding = save_finding(scene, pillar=pillar, contribution_ids=[scene.agreed.pk], themes=[theme])
    finding.refresh_from_db()
    assert finding.series == scene.series
    assert finding.pillar == pillar
    assert finding.created_by == scene.analyst
    assert list(finding.contributions.all()) == [scene.agreed]
    assert list(finding.themes.all()) == [theme]


def test_finding_without_evidence_is_allowed(scene):
    finding = save_finding(scene)
    assert not finding.contributions.exists()
    assert not finding.themes.exists()


@pytest.mark.parametrize("bad", ["unknown", "hidden", "elsewhere"])
def test_finding_refuses_posts_that_are_not_visible_in_the_series(scene, bad):
    """Evidence must be visible posts of this series; the bad number is named."""
    number = 999_999 if bad == "unknown" else getattr(scene, bad).pk
    with pytest.raises(ValidationError) as excinfo:
        save_finding(scene, contribution_ids=[scene.agreed.pk, number])
    assert str(number) in error_text(excinfo, "contributions")
    assert not Finding.objects.exists()


def test_finding_refuses_a_theme_of_another_series(scene):
    """Evidence themes must belong to the series."""
    workshop = make_workshop()
    foreign = services.theme_create(
        series=workshop.series,
        title="Elsewhere",
        contribution_ids=[post_in(workshop).pk, post_in(workshop).pk],
        user=scene.analyst,
    )
    with pytest.raises(ValidationError) as excinfo:
        save_finding(scene, themes=[foreign])
    assert "themes" in excinfo.value.message_dict
    assert not Finding.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"title": ""}, {"body": ""}, {"kind": "nonsense"}],
    ids=["no-title", "no-body", "bad-kind"],
)
def test_finding_refuses_missing_or_bad_fields(scene, changes):
    with pytest.raises(ValidationError):
        save_finding(scene, **changes)
    assert not Finding.objects.exists()


def test_finding_update_keeps_one_row_and_replaces_evidence(scene):
    """Saving an existing finding changes it in place, evidence included."""
    finding = save_finding(scene, contribution_ids=[scene.agreed.pk])
    theme = make_theme(scene, scene.leeds_post, scene.london_post)
    updated = save_finding(
        scene,
        finding=finding,
        title="Named contacts, with caveats",
        kind=Finding.Kind.DEBATE,
        contribution_ids=[],
        themes=[theme],
    )
    assert updated.pk == finding.pk
    assert Finding.objects.count() == 1
    finding.refresh_from_db()
    assert finding.title == "Named contacts, with caveats"
    assert finding.kind == Finding.Kind.DEBATE
    assert not finding.contributions.exists()
    assert list(finding.themes.all()) == [theme]


def test_refused_finding_update_changes_nothing(scene):
    finding = save_finding(scene, contribution_ids=[scene.agreed.pk])
    with pytest.raises(ValidationError):
        save_finding(scene, finding=finding, title="Changed", contribution_ids=[scene.elsewhere.pk])
    finding.refresh_from_db()
    assert finding.title == "Families want one named contact"
    assert list(finding.contributions.all()) == [scene.agreed]


def test_finding_delete(scene):
    finding = save_finding(scene, contribution_ids=[scene.agreed.pk])
    services.finding_delete(finding=finding)
    assert not Finding.objects.exists()
    assert Contribution.objects.filter(pk=scene.agreed.pk).exists()


def test_decisions_are_audited(analyst):
    """Every confirmation or override leaves an audit entry naming who and what."""
    from accounts.models import AuditEntry
    from synthesis.board import find_item
    from tests.factories import ContributionFactory

    post = ContributionFactory()
    item = find_item(post.workshop.series, "contribution", post.pk)
    services.judgement_record(
        series=post.workshop.series,
        item=item,
        verdict="debate_opposed",
        reason="Heard in the room",
        user=analyst,
    )
    entry = AuditEntry.objects.get(action="judge")
    assert entry.actor == analyst and entry.detail["verdict"] == "debate_opposed"
