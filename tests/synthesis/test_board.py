"""The analyst's board (synthesis.board.build_board) read through the database: votes in,
suggested class out, with themes, judgements, filters, sorts and a fixed query count."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Contribution, Vote
from synthesis import services
from synthesis.board import build_board, find_item
from synthesis.models import Judgement
from synthesis.stats import OTHER, Stance, Tally, Verdict
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    SeriesFactory,
    UserFactory,
    VoteFactory,
    make_workshop,
    send_reform,
    stakeholder_group,
)
from tests.helpers import populate

pytestmark = pytest.mark.django_db

PCF, EDU, HEALTH, LA, YOUNG = "pcf", "education", "health", "local_government", "young_person"
ALL_GROUPS = (PCF, EDU, HEALTH, LA, YOUNG, OTHER)
# The posts' workshops and recommendations are read once each, shared by their posts.
BOARD_MAX_QUERIES = 14


def give_votes(post, slug, agree=0, disagree=0, passes=0):
    """Give `post` votes from new participants of group `slug` in its workshop; returns them."""
    group = stakeholder_group(slug)
    voters = []
    for choice, count in (
        (Vote.Choice.AGREE, agree),
        (Vote.Choice.DISAGREE, disagree),
        (Vote.Choice.PASS, passes),
    ):
        for _ in range(count):
            person = ParticipantFactory(workshop=post.workshop, group=group)
            VoteFactory(contribution=post, participant=person, choice=choice)
            voters.append(person)
    return voters


def post_in(workshop, slug=YOUNG, rec_number=1, text=None, **fields):
    """A post on recommendation `rec_number`, written by a new participant of group `slug`."""
    author = ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))
    prompt = workshop.prompts.get(recommendation__number=rec_number)
    if text:
        fields["text"] = text
    return ContributionFactory(participant=author, prompt=prompt, **fields)


def everyone_present(workshop):
    """One bystander of every group, so all five non-"other" groups are present (K = 3)."""
    for slug in ALL_GROUPS:
        ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))


def item_of(board, obj):
    """The board item for a contribution or theme, or None when the board leaves it out."""
    kind = "contribution" if isinstance(obj, Contribution) else "theme"
    found = [item for item in board.items if item.kind == kind and item.pk == obj.pk]
    assert len(found) <= 1
    return found[0] if found else None


def shown_pks(board):
    return {(item.kind, item.pk) for item in board.items}


def at(minutes):
    return timezone.now() - timedelta(minutes=minutes)


@pytest.fixture
def room():
    """A workshop with every stakeholder group present."""
    workshop = make_workshop(region="North")
    everyone_present(workshop)
    return workshop


# The worked cases of SYNTHESIS.md, through the database


WORKED_CASES = [
    ({PCF: (3, 0, 0), EDU: (3, 0, 0), LA: (3, 0, 0)}, Verdict.COMMON_GROUND),
    ({PCF: (2, 0, 1), EDU: (2, 0, 1), LA: (2, 0, 1)}, Verdict.MAJORITY_VIEW),
    ({PCF: (4, 0, 0), LA: (0, 4, 0)}, Verdict.DEBATE_OPPOSED),
    ({PCF: (3, 0, 0), EDU: (3, 0, 0), HEALTH: (1, 0, 0)}, Verdict.MAJORITY_VIEW),
    ({PCF: (2, 0, 0), EDU: (2, 0, 0), LA: (2, 0, 0)}, Verdict.INSUFFICIENT_DATA),
    ({PCF: (3, 0, 0), EDU: (1, 0, 2), LA: (2, 1, 0)}, Verdict.DEBATE_DIVERGENT),
    ({PCF: (2, 2, 0), EDU: (2, 2, 0), LA: (2, 2, 0)}, Verdict.MIXED),
]


@pytest.mark.parametrize(
    ("votes", "verdict"),
    WORKED_CASES,
    ids=[
        "common-ground",
        "majority-of-unsettled-groups",
        "opposed",
        "majority-health-not-covered",
        "too-few-per-group",
        "divergent",
        "mixed",
    ],
)
def test_worked_cases_through_the_database(room, votes, verdict):
    """Each worked case of SYNTHESIS.md, cast as real votes, gets its documented class."""
    post = post_in(room)
    for slug, (agree, disagree, passes) in votes.items():
        give_votes(post, slug, agree, disagree, passes)
    item = item_of(build_board(room.series), post)
    assert item.reading.groups_required == 3
    assert item.tallies == {slug: Tally(*abc) for slug, abc in votes.items()}
    assert item.reading.verdict is verdict
    assert item.verdict is verdict


def test_worked_divergent_case_names_the_pair_and_z(room):
    """The divergent case reports PCF against Education with z = 1.63."""
    post = post_in(room)
    give_votes(post, PCF, 3)
    give_votes(post, EDU, 1, 0, 2)
    give_votes(post, LA, 2, 1)
    high, low, z = item_of(build_board(room.series), post).reading.divergent_pair
    assert (high, low) == (PCF, EDU)
    assert z == pytest.approx(1.63, abs=0.005)


def test_worked_majority_case_is_six_of_nine_pooled(room):
    """Three unsettled groups of (2, 0, 1) make a majority view: 6 of 9 agree in all."""
    post = post_in(room)
    for slug in (PCF, EDU, LA):
        give_votes(post, slug, 2, 0, 1)
    item = item_of(build_board(room.series), post)
    assert item.total == Tally(6, 0, 3)
    assert {item.reading.groups[slug].stance for slug in (PCF, EDU, LA)} == {Stance.UNSETTLED}
    assert item.reading.verdict is Verdict.MAJORITY_VIEW
    assert item.reading.uncertain is True  # 3 passes of 9 is over 30%


def test_other_votes_count_in_totals_but_are_never_covered(room):
    """Three "other" agrees count towards the total, yet never make "other" a covered group:
    one covered group plus "other" is still insufficient data."""
    post = post_in(room)
    give_votes(post, PCF, 3)
    give_votes(post, OTHER, 3)
    item = item_of(build_board(room.series), post)
    assert item.total.total == 6
    assert item.reading.covered == (PCF,)
    assert item.reading.verdict is Verdict.INSUFFICIENT_DATA


def test_other_votes_count_in_the_pooled_majority(room):
    """ "Other" disagrees pull the pooled majority: the unsettled (2, 0, 1) case, which is a
    majority view alone, becomes mixed when four "other" voters disagree."""
    post = post_in(room)
    for slug in (PCF, EDU, LA):
        give_votes(post, slug, 2, 0, 1)
    give_votes(post, OTHER, 0, 4)
    item = item_of(build_board(room.series), post)
    assert item.total == Tally(6, 4, 3)
    assert OTHER not in item.reading.covered
    assert item.reading.verdict is Verdict.MIXED


def test_other_is_never_named_as_not_with_the_majority(room):
    """Common-ground-looking votes from two groups and "other" give a majority view that
    names the present groups not yet with it, but never "other"."""
    post = post_in(room)
    give_votes(post, PCF, 3)
    give_votes(post, EDU, 3)
    give_votes(post, OTHER, 3)
    reading = item_of(build_board(room.series), post).reading
    assert reading.verdict is Verdict.MAJORITY_VIEW
    assert set(reading.not_with_majority) == {HEALTH, LA, YOUNG}


# K: the groups present in scope


@pytest.fixture
def two_rooms():
    """A series of two workshops: Leeds has only PCF and Education in the room, London has
    Health and Local government. A Leeds post is agreed by both Leeds groups."""
    series = SeriesFactory()
    leeds = make_workshop(series=series, title="Leeds", region="Yorkshire")
    london = make_workshop(series=series, title="London", region="London")
    ParticipantFactory(workshop=london, group=stakeholder_group(HEALTH))
    ParticipantFactory(workshop=london, group=stakeholder_group(LA))
    post = post_in(leeds, PCF)
    give_votes(post, PCF, 3)
    give_votes(post, EDU, 3)
    return SimpleNamespace(series=series, leeds=leeds, london=london, post=post)


def test_k_uses_the_groups_present_in_the_workshop(two_rooms):
    """With only two groups in the room, the workshop board needs two groups (K = 2), so
    two agreeing groups are common ground there."""
    board = build_board(two_rooms.series, workshop=two_rooms.leeds)
    assert board.groups_present == {PCF, EDU}
    item = item_of(board, two_rooms.post)
    assert item.reading.groups_required == 2
    assert item.verdict is Verdict.COMMON_GROUND


def test_k_uses_the_groups_present_in_the_series(two_rooms):
    """Across the series four groups took part (K = 3), so the same two agreeing groups are
    only a majority view, with the absent groups named as not yet with it."""
    board = build_board(two_rooms.series)
    assert board.groups_present == {PCF, EDU, HEALTH, LA}
    item = item_of(board, two_rooms.post)
    assert item.reading.groups_required == 3
    assert item.verdict is Verdict.MAJORITY_VIEW
    assert set(item.reading.not_with_majority) == {HEALTH, LA}


def test_other_and_scribes_do_not_count_as_present(two_rooms):
    """An "other" participant or a scribe does not add a group to K."""
    ParticipantFactory(workshop=two_rooms.leeds, group=stakeholder_group(OTHER))
    ParticipantFactory(workshop=two_rooms.leeds, group=stakeholder_group(YOUNG), is_scribe=True)
    board = build_board(two_rooms.series, workshop=two_rooms.leeds)
    assert board.groups_present == {PCF, EDU}
    assert item_of(board, two_rooms.post).verdict is Verdict.COMMON_GROUND


# What is counted


@pytest.mark.parametrize("state", ["hidden", "pending", "merged"])
def test_posts_that_are_not_visible_never_appear(room, state):
    """Hidden, pending and merged posts are left off the board, votes or not."""
    shown = post_in(room)
    kept_off = post_in(room, state=state)
    for post in (shown, kept_off):
        for slug in (PCF, EDU, LA):
            give_votes(post, slug, 3)
    board = build_board(room.series)
    assert shown_pks(board) == {("contribution", shown.pk)}
    assert item_of(build_board(room.series, workshop=room), kept_off) is None
    assert find_item(room.series, "contribution", kept_off.pk) is None


def test_posts_of_other_series_never_appear(room):
    """Only the series' own posts are on its board."""
    mine = post_in(room)
    post_in(make_workshop())
    assert shown_pks(build_board(room.series)) == {("contribution", mine.pk)}


def test_authors_own_vote_never_counts(room):
    """The author's agree is left out: two agreeing PCF voters plus the PCF author stay
    too few to judge."""
    post = post_in(room, PCF)
    VoteFactory(contribution=post, participant=post.participant, choice="agree")
    give_votes(post, PCF, 2)
    give_votes(post, EDU, 3)
    item = item_of(build_board(room.series), post)
    assert item.tallies[PCF] == Tally(agree=2)
    assert item.total.total == 5
    assert item.reading.groups[PCF].stance is Stance.NO_DATA


def test_a_post_with_no_votes_is_insufficient_data(room):
    """A post nobody has voted on is still shown, as insufficient data."""
    post = post_in(room)
    item = item_of(build_board(room.series), post)
    assert item.tallies == {}
    assert item.verdict is Verdict.INSUFFICIENT_DATA


# Themes


@pytest.fixture
def themed():
    """A theme over two Leeds posts and one London post, in one series.

    In Leeds three PCF voters agree with the first post; one of them later disagrees with
    the second post. Three Education voters agree with the first post. In London three
    Local government voters agree.
    """
    series = SeriesFactory()
    leeds = make_workshop(series=series, title="Leeds", region="North")
    london = make_workshop(series=series, title="London", region="South")
    first = post_in(leeds, YOUNG, text="Key workers for every family")
    second = post_in(leeds, HEALTH, text="Every family needs one named person")
    third = post_in(london, HEALTH, text="One named contact per family")
    pcf_voters = give_votes(first, PCF, 3)
    give_votes(first, EDU, 3)
    give_votes(third, LA, 3)
    changed_mind = pcf_voters[0]
    late = VoteFactory(contribution=second, participant=changed_mind, choice="disagree")
    Vote.objects.filter(contribution=first).update(updated=at(30))
    Vote.objects.filter(pk=late.pk).update(updated=at(5))
    analyst = UserFactory(roles=["analyst"])
    theme = services.theme_create(
        series=series,
        title="A named key worker",
        contribution_ids=[first.pk, second.pk, third.pk],
        user=analyst,
    )
    return SimpleNamespace(
        series=series,
        leeds=leeds,
        london=london,
        posts=(first, second, third),
        theme=theme,
        changed_mind=changed_mind,
        analyst=analyst,
    )


def test_theme_replaces_its_posts_on_the_board(themed):
    """A theme is one item; its linked posts are not shown again on their own."""
    board = build_board(themed.series)
    assert shown_pks(board) == {("theme", themed.theme.pk)}
    item = item_of(board, themed.theme)
    assert item.text == "A named key worker"
    assert {member.pk for member in item.members} == {post.pk for post in themed.posts}


def test_theme_pools_votes_counting_each_person_once_with_their_latest_vote(themed):
    """Votes on posts from two workshops pool; the PCF voter who agreed with one post and
    later disagreed with another counts once, as a disagree."""
    item = item_of(build_board(themed.series), themed.theme)
    assert item.tallies == {
        PCF: Tally(agree=2, disagree=1),
        EDU: Tally(agree=3),
        LA: Tally(agree=3),
    }
    assert item.total.total == 9  # ten votes, nine people


def test_theme_uses_the_latest_vote_whichever_post_it_was_on(themed):
    """When the agree is the later vote, that person counts as agreeing instead."""
    first, second, _ = themed.posts
    Vote.objects.filter(contribution=second).update(updated=at(60))
    item = item_of(build_board(themed.series), themed.theme)
    assert item.tallies[PCF] == Tally(agree=3)
    assert item.verdict is Verdict.COMMON_GROUND


def test_theme_leaves_out_authors_votes_on_their_own_posts(themed):
    """A member post's author voting on their own post adds nothing to the theme."""
    first = themed.posts[0]
    VoteFactory(contribution=first, participant=first.participant, choice="disagree")
    item = item_of(build_board(themed.series), themed.theme)
    assert item.total.total == 9
    assert YOUNG not in item.tallies


def test_theme_region_readings_only_where_a_region_has_enough_votes(themed):
    """The North region has six votes and gets a reading; the South has three and none."""
    item = item_of(build_board(themed.series), themed.theme)
    assert [region for region, _ in item.regions] == ["North"]
    (_, north) = item.regions[0]
    assert north.overall.tally == Tally(agree=5, disagree=1)


def test_theme_region_threshold_comes_from_settings(themed, settings):
    """With min_total_votes at 3, the South's three votes are enough for a reading."""
    settings.SYNTHESIS_THRESHOLDS = {**settings.SYNTHESIS_THRESHOLDS, "min_total_votes": 3}
    item = item_of(build_board(themed.series), themed.theme)
    assert [region for region, _ in item.regions] == ["North", "South"]


def test_theme_drops_a_hidden_member_and_its_votes(themed):
    """A member post hidden after linking is left out of the theme, votes and all."""
    third = themed.posts[2]
    Contribution.objects.filter(pk=third.pk).update(state=Contribution.State.HIDDEN)
    board = build_board(themed.series)
    item = item_of(board, themed.theme)
    assert {member.pk for member in item.members} == {themed.posts[0].pk, themed.posts[1].pk}
    assert LA not in item.tallies
    assert item_of(board, third) is None


def test_deleting_a_theme_puts_its_posts_back_on_the_board(themed):
    """Without the theme, each visible post is its own item again."""
    services.theme_delete(theme=themed.theme)
    assert shown_pks(build_board(themed.series)) == {
        ("contribution", post.pk) for post in themed.posts
    }


def test_a_post_in_two_themes_counts_in_each(themed):
    """A post linked into a second theme is a member of both and its votes pool into each,
    each theme reading its own posts' latest votes; the post is not shown on its own."""
    first = themed.posts[0]
    other = post_in(themed.london, LA, text="One plan for each family")
    wider = services.theme_create(
        series=themed.series,
        title="One plan, one person",
        contribution_ids=[first.pk, other.pk],
        user=themed.analyst,
    )
    board = build_board(themed.series)
    assert shown_pks(board) == {("theme", themed.theme.pk), ("theme", wider.pk)}
    item = item_of(board, wider)
    assert {member.pk for member in item.members} == {first.pk, other.pk}
    # The PCF voter's later disagree was on a post this theme does not link.
    assert item.tallies == {PCF: Tally(agree=3), EDU: Tally(agree=3)}
    assert item_of(board, themed.theme).tallies[EDU] == Tally(agree=3)


def test_a_theme_spanning_two_recommendations_sits_once_in_its_own_section(themed):
    """A theme on one recommendation stays under it; one spanning two is listed once, apart,
    with both its recommendations, and either recommendation's filter finds it."""
    on_rec_2 = post_in(themed.london, HEALTH, rec_number=2, text="Plans that follow the child")
    across = services.theme_create(
        series=themed.series,
        title="Plans that travel",
        contribution_ids=[themed.posts[0].pk, on_rec_2.pk],
        user=themed.analyst,
    )
    board = build_board(themed.series)
    item = item_of(board, across)
    assert [rec.number for rec in item.recommendations] == [1, 2]
    assert [i.anchor for group in board.across for i in group.items] == [item.anchor]
    under_recommendations = {
        i.anchor
        for _, recommendations in board.pillars
        for _, groups in recommendations
        for group in groups
        for i in group.items
    }
    assert under_recommendations == {f"theme-{themed.theme.pk}"}
    for number in (1, 2):
        rec = themed.series.framework.recommendations().get(number=number)
        assert ("theme", across.pk) in shown_pks(build_board(themed.series, recommendation=rec))


# Filters and sorts


@pytest.fixture
def spread():
    """Two workshops in two regions, posts with different classes, authors and
    recommendations, all in one series with every group present."""
    series = SeriesFactory()
    leeds = make_workshop(series=series, title="Leeds", region="Yorkshire")
    london = make_workshop(series=series, title="London", region="London")
    everyone_present(leeds)
    leeds_agreed = post_in(leeds, PCF, rec_number=1)
    leeds_debate = post_in(leeds, EDU, rec_number=2)
    london_agreed = post_in(london, HEALTH, rec_number=3)
    london_thin = post_in(london, PCF, rec_number=1)
    for post in (leeds_agreed, london_agreed):
        for slug in (PCF, EDU, LA):
            give_votes(post, slug, 3)
    give_votes(leeds_debate, PCF, 4)
    give_votes(leeds_debate, LA, 0, 4)
    give_votes(london_thin, PCF, 1)
    return SimpleNamespace(
        series=series,
        leeds=leeds,
        london=london,
        leeds_agreed=leeds_agreed,
        leeds_debate=leeds_debate,
        london_agreed=london_agreed,
        london_thin=london_thin,
    )


def posts_shown(board):
    return {item.pk for item in board.items}


def pks(*posts):
    return {post.pk for post in posts}


def test_unfiltered_board_classes(spread):
    """Before filtering, each post has the class its votes give."""
    board = build_board(spread.series)
    assert posts_shown(board) == pks(
        spread.leeds_agreed, spread.leeds_debate, spread.london_agreed, spread.london_thin
    )
    verdicts = {item.pk: item.verdict for item in board.items}
    assert verdicts == {
        spread.leeds_agreed.pk: Verdict.COMMON_GROUND,
        spread.leeds_debate.pk: Verdict.DEBATE_OPPOSED,
        spread.london_agreed.pk: Verdict.COMMON_GROUND,
        spread.london_thin.pk: Verdict.INSUFFICIENT_DATA,
    }
    assert board.count(Verdict.COMMON_GROUND) == 2


def test_filter_by_workshop(spread):
    board = build_board(spread.series, workshop=spread.leeds)
    assert posts_shown(board) == pks(spread.leeds_agreed, spread.leeds_debate)


def test_filter_by_region(spread):
    board = build_board(spread.series, region="London")
    assert posts_shown(board) == pks(spread.london_agreed, spread.london_thin)


def test_filter_by_authors_group(spread):
    """The group filter keeps posts written by that group."""
    board = build_board(spread.series, group=stakeholder_group(PCF))
    assert posts_shown(board) == pks(spread.leeds_agreed, spread.london_thin)


def test_filter_by_verdict(spread):
    board = build_board(spread.series, verdict=Verdict.COMMON_GROUND)
    assert posts_shown(board) == pks(spread.leeds_agreed, spread.london_agreed)
    assert posts_shown(build_board(spread.series, verdict="debate_opposed")) == pks(
        spread.leeds_debate
    )


def test_filter_by_recommendation(spread):
    rec_1 = send_reform().recommendations().get(number=1)
    board = build_board(spread.series, recommendation=rec_1)
    assert posts_shown(board) == pks(spread.leeds_agreed, spread.london_thin)


def test_filters_combine(spread):
    rec_1 = send_reform().recommendations().get(number=1)
    board = build_board(spread.series, region="London", recommendation=rec_1)
    assert posts_shown(board) == pks(spread.london_thin)
    board = build_board(spread.series, workshop=spread.leeds, verdict=Verdict.COMMON_GROUND)
    assert posts_shown(board) == pks(spread.leeds_agreed)


def test_board_groups_by_pillar_then_recommendation_then_class(spread):
    """Items sit under their pillar and recommendation, in class order: agreement first."""
    board = build_board(spread.series)
    rec_1 = send_reform().recommendations().get(number=1)
    classes = {
        recommendation.pk: [(group.verdict, [i.pk for i in group.items]) for group in groups]
        for _, recommendations in board.pillars
        for recommendation, groups in recommendations
    }
    assert classes[rec_1.pk] == [
        (Verdict.COMMON_GROUND, [spread.leeds_agreed.pk]),
        (Verdict.INSUFFICIENT_DATA, [spread.london_thin.pk]),
    ]
    assert [pillar.pk for pillar, _ in board.pillars] == list(
        send_reform().pillars.values_list("pk", flat=True)
    )
    assert board.unlinked == []


@pytest.fixture
def three_posts(room):
    """Oldest: agreed by three groups (9 votes). Middle: split in three groups (12 votes).
    Newest: one vote."""
    agreed, split, thin = post_in(room), post_in(room), post_in(room)
    for slug in (PCF, EDU, LA):
        give_votes(agreed, slug, 3)
        give_votes(split, slug, 2, 2)
    give_votes(thin, PCF, 1)
    for minutes, post in ((30, agreed), (20, split), (10, thin)):
        Contribution.objects.filter(pk=post.pk).update(created=at(minutes))
    return SimpleNamespace(series=room.series, agreed=agreed, split=split, thin=thin)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("consensus", ["agreed", "split", "thin"]),
        ("votes", ["split", "agreed", "thin"]),
        ("newest", ["thin", "split", "agreed"]),
        ("zzz", ["agreed", "split", "thin"]),
    ],
)
def test_sorts(three_posts, sort, order):
    """Strongest agreement first, most votes first, newest first; an unknown sort falls back
    to strongest agreement."""
    board = build_board(three_posts.series, sort=sort)
    assert [item.pk for item in board.items] == [getattr(three_posts, n).pk for n in order]


# Judgements


@pytest.fixture
def agreed(room):
    """A post that three groups agree with: common ground."""
    post = post_in(room)
    for slug in (PCF, EDU, LA):
        give_votes(post, slug, 3)
    return post


def decide(series, kind, pk, verdict, reason=""):
    """Store a decision as judgement_record does: the analyst's class beside the class the
    rule suggested at the time (the service itself is tested in test_services.py)."""
    return Judgement.objects.create(
        series=series,
        **{f"{kind}_id": pk},
        verdict=verdict,
        computed=find_item(series, kind, pk).reading.verdict,
        reason=reason,
        decided_by=UserFactory(roles=["analyst"]),
    )


def judge(series, post, verdict, reason=""):
    return decide(series, "contribution", post.pk, verdict, reason)


def test_judgement_overrides_the_shown_class(room, agreed):
    """An override is what the board shows; the rule's suggestion is kept beside it."""
    judge(room.series, agreed, Verdict.MIXED, "The room was divided in discussion")
    item = item_of(build_board(room.series), agreed)
    assert item.verdict is Verdict.MIXED
    assert item.reading.verdict is Verdict.COMMON_GROUND
    assert item.judgement.is_override
    assert item.changed_since_decision is False


def test_shown_class_is_what_the_verdict_filter_and_grouping_use(room, agreed):
    """An overridden item is filtered and grouped by the analyst's class."""
    judge(room.series, agreed, Verdict.MIXED, "The room was divided in discussion")
    assert posts_shown(build_board(room.series, verdict=Verdict.MIXED)) == pks(agreed)
    assert posts_shown(build_board(room.series, verdict=Verdict.COMMON_GROUND)) == set()


def test_later_votes_flag_a_decision_but_keep_the_analysts_class(room, agreed):
    """After a decision, new votes that move the rule to another class flag the item as
    changed since the decision; the analyst's class is still the one shown."""
    judge(room.series, agreed, Verdict.MIXED, "The room was divided in discussion")
    give_votes(agreed, HEALTH, 0, 4)
    item = item_of(build_board(room.series), agreed)
    assert item.reading.verdict is Verdict.DEBATE_OPPOSED
    assert item.changed_since_decision is True
    assert item.verdict is Verdict.MIXED


def test_a_confirmation_is_flagged_when_votes_move_the_class(room, agreed):
    """A confirmed class is flagged once votes move the rule elsewhere, and still shown."""
    judge(room.series, agreed, Verdict.COMMON_GROUND)
    assert item_of(build_board(room.series), agreed).changed_since_decision is False
    give_votes(agreed, HEALTH, 0, 4)
    item = item_of(build_board(room.series), agreed)
    assert item.changed_since_decision is True
    assert item.verdict is Verdict.COMMON_GROUND


def test_withdrawn_judgement_brings_back_the_suggestion(room, agreed):
    judgement = judge(room.series, agreed, Verdict.MIXED, "Divided in discussion")
    services.judgement_withdraw(judgement=judgement)
    item = item_of(build_board(room.series), agreed)
    assert item.judgement is None
    assert item.verdict is Verdict.COMMON_GROUND


def test_a_series_decision_is_not_flagged_as_changed_on_a_workshop_board(two_rooms):
    """Confirming on the series board and then opening the workshop board, with no vote
    cast in between, must not claim that votes have changed since the decision."""
    judge(two_rooms.series, two_rooms.post, Verdict.MAJORITY_VIEW)
    item = item_of(build_board(two_rooms.series, workshop=two_rooms.leeds), two_rooms.post)
    assert item.changed_since_decision is False


def test_theme_judgement_is_shown_on_the_theme(themed):
    """A theme can be judged like a post."""
    decide(
        themed.series, "theme", themed.theme.pk, Verdict.SHARED_REJECTION, "Heard as a rejection"
    )
    shown = item_of(build_board(themed.series), themed.theme)
    assert shown.verdict is Verdict.SHARED_REJECTION
    assert shown.judgement.reason == "Heard as a rejection"


# Group lines


def test_group_lines_say_counts_in_words(room):
    """Each group's view reads as words: counts for judged groups, and groups too small to
    judge named plainly."""
    post = post_in(room, HEALTH)
    give_votes(post, PCF, 9, 2)
    give_votes(post, YOUNG, 1, 1)
    give_votes(post, LA, 0, 0, 1)
    lines = {line.group.slug: line for line in item_of(build_board(room.series), post).lines}
    assert [line.group.slug for line in lines.values()] == list(ALL_GROUPS)
    assert lines[PCF].text == "Parent carer forum: 9 of 11 agree"
    assert lines[PCF].judged and lines[PCF].stance is Stance.AGREES
    assert lines[PCF].agree_share == 82
    assert lines[YOUNG].text == "Young person: 2 votes — too few to judge"
    assert lines[LA].text == "Local government: 1 vote — too few to judge"
    assert lines[EDU].text == "Education setting: no votes yet — too few to judge"
    assert not lines[EDU].judged
    assert lines[EDU].agree_share == 0


# Thresholds


def test_thresholds_come_from_settings(room, agreed, settings):
    """With 99% confidence required, three agreeing votes no longer show a group agrees:
    the common-ground item becomes a majority view."""
    assert item_of(build_board(room.series), agreed).verdict is Verdict.COMMON_GROUND
    settings.SYNTHESIS_THRESHOLDS = {**settings.SYNTHESIS_THRESHOLDS, "confidence": 0.99}
    item = item_of(build_board(room.series), agreed)
    assert item.reading.groups[PCF].stance is Stance.UNSETTLED
    assert item.verdict is Verdict.MAJORITY_VIEW


def test_groups_required_comes_from_settings(two_rooms, settings):
    """With max_groups_required at 2, two agreeing groups are common ground series-wide."""
    settings.SYNTHESIS_THRESHOLDS = {**settings.SYNTHESIS_THRESHOLDS, "max_groups_required": 2}
    item = item_of(build_board(two_rooms.series), two_rooms.post)
    assert item.reading.groups_required == 2
    assert item.verdict is Verdict.COMMON_GROUND


# Query count


def bulk_series(posts):
    """A series of two workshops with `posts` voted posts between them, two themes of two
    posts each, and a judgement on a post and on a theme."""
    series = SeriesFactory()
    north = make_workshop(series=series, region="North")
    south = make_workshop(series=series, region="South")
    north_posts = populate(north, posts=posts // 2)
    south_posts = populate(south, posts=posts - posts // 2)
    analyst = UserFactory(roles=["analyst"])
    themes = [
        services.theme_create(
            series=series,
            title=f"Theme {n}",
            contribution_ids=[north_posts[n].pk, south_posts[n].pk],
            user=analyst,
        )
        for n in range(2)
    ]
    for kind, pk in (("contribution", north_posts[-1].pk), ("theme", themes[0].pk)):
        decide(series, kind, pk, Verdict.MIXED, "Checked by hand")
    ContributionFactory(participant=north_posts[0].participant, state="hidden")
    return SimpleNamespace(series=series, north=north)


def board_queries(series, **filters):
    with CaptureQueriesContext(connection) as queries:
        board = build_board(series, **filters)
        for item in board.items:  # what the template reads
            _ = [line.text for line in item.lines], item.members, item.judgement
            _ = [(m.participant.group.name, m.workshop.title) for m in item.members]
            if item.judgement:
                _ = item.judgement.decided_by
    return len(queries), board


def test_build_board_query_count_is_constant_and_bounded():
    """Ten posts or sixty, with two themes and judgements: the same few queries."""
    small, large = bulk_series(10), bulk_series(60)
    small_count, small_board = board_queries(small.series)
    large_count, large_board = board_queries(large.series)
    assert len(small_board.items) == 10 - 4 + 2
    assert len(large_board.items) == 60 - 4 + 2
    assert small_count == large_count
    assert large_count <= BOARD_MAX_QUERIES, large_count
    workshop_count, _ = board_queries(large.series, workshop=large.north)
    assert workshop_count <= BOARD_MAX_QUERIES
