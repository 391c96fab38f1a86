"""The analyst's board pages, judging, themes and findings over HTTP: who may use them, what
each does, how bad input is answered, and a query count that does not grow with items."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Contribution, Vote
from synthesis import services
from synthesis.models import Finding, Judgement, Theme
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    UserFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)
from tests.helpers import populate

pytestmark = pytest.mark.django_db

# Session, user, their two-step device, their roles, whether the series is one of their
# organisations', the series; the filter form's regions, workshops,
# recommendations and groups; build_board's thirteen (judgements and report choices are two,
# the posts' workshops and recommendations two); the workshop links. None per item.
BOARD_PAGE_MAX_QUERIES = 24


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
def scene(workshop):
    """The `workshop` fixture's series with: a post three groups agree with, two posts
    linked into a theme, a decision on the agreed post, and a key finding."""
    series = workshop.series
    other_room = make_workshop(series=series, region="South")
    agreed = post_in(workshop, text="Named key workers for families")
    for slug in ("pcf", "education", "local_government"):
        give_votes(agreed, slug, 3)
    linked = [post_in(workshop, rec_number=2), post_in(other_room, rec_number=2)]
    decider = UserFactory(username="sam.analyst", roles=["analyst"])
    theme = services.theme_create(
        series=series,
        title="Joined-up plans",
        contribution_ids=[p.pk for p in linked],
        user=decider,
    )
    judgement = Judgement.objects.create(
        series=series,
        contribution=agreed,
        verdict="mixed",
        computed="common_ground",
        reason="The room was divided in discussion",
        decided_by=decider,
    )
    finding = services.finding_save(
        series=series,
        title="Families want one named contact",
        body="Every group agreed.",
        kind=Finding.Kind.COMMON_GROUND,
        contribution_ids=[agreed.pk],
        user=decider,
    )
    spare = post_in(workshop, rec_number=3)
    return SimpleNamespace(
        series=series,
        workshop=workshop,
        agreed=agreed,
        linked=linked,
        theme=theme,
        judgement=judgement,
        finding=finding,
        spare=spare,
        decider=decider,
    )


def requests_for(scene):
    """Every synthesis URL, each with the requests it answers and what an analyst's request
    should do: {name: [(method, url, data)]}."""
    s = scene.series.pk
    board = reverse("synthesis:series_board", args=[s])
    themes = reverse("synthesis:themes", args=[s])
    theme = reverse("synthesis:theme_edit", args=[s, scene.theme.pk])
    findings = reverse("synthesis:findings", args=[s])
    finding = reverse("synthesis:finding_edit", args=[s, scene.finding.pk])
    theme_data = {"title": "New theme", "contributions": f"{scene.agreed.pk}, {scene.spare.pk}"}
    finding_data = {"title": "New finding", "body": "Said by all.", "kind": "debate"}
    return {
        "series_list": [("get", reverse("synthesis:series_list"), None)],
        "series_board": [("get", board, None)],
        "workshop_board": [
            ("get", reverse("synthesis:workshop_board", args=[scene.workshop.pk]), None)
        ],
        "contributions": [("get", reverse("synthesis:series_contributions", args=[s]), None)],
        "judge": [
            (
                "post",
                reverse("synthesis:judge", args=[s, "theme", scene.theme.pk]),
                {"verdict": "insufficient_data", "reason": ""},
            )
        ],
        "withdraw": [
            (
                "post",
                reverse("synthesis:judgement_withdraw", args=[s, scene.judgement.pk]),
                {},
            )
        ],
        "themes": [("get", themes, None), ("post", themes, theme_data)],
        "theme_edit": [
            ("get", theme, None),
            ("post", theme, {"title": "Renamed", "contributions": theme_data["contributions"]}),
        ],
        "theme_delete": [("post", reverse("synthesis:theme_delete", args=[s, scene.theme.pk]), {})],
        "findings": [("get", findings, None), ("post", findings, finding_data)],
        "finding_edit": [
            ("get", finding, None),
            ("post", finding, {**finding_data, "title": "Renamed finding"}),
        ],
        "finding_delete": [
            ("post", reverse("synthesis:finding_delete", args=[s, scene.finding.pk]), {})
        ],
    }


URL_NAMES = [
    "series_list",
    "series_board",
    "workshop_board",
    "contributions",
    "judge",
    "withdraw",
    "themes",
    "theme_edit",
    "theme_delete",
    "findings",
    "finding_edit",
    "finding_delete",
]


def send(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


def snapshot(scene):
    """Everything the pages could change, to show a refused request changed nothing."""
    scene.theme.refresh_from_db()
    scene.finding.refresh_from_db()
    return (
        Theme.objects.count(),
        Finding.objects.count(),
        list(Judgement.objects.values_list("pk", "verdict")),
        scene.theme.title,
        sorted(scene.theme.contributions.values_list("pk", flat=True)),
        scene.finding.title,
    )


# Access


def refusals(client, scene, expected):
    """Send every request of every URL; return those not answered as `expected` says."""
    wrong = []
    for name in URL_NAMES:
        for method, url, data in requests_for(scene)[name]:
            response = send(client, method, url, data)
            if not expected(response):
                wrong.append((name, method, response.status_code))
    return wrong


def sent_to_login(response):
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def test_anonymous_is_sent_to_sign_in(client, scene):
    """Every analyst URL, read or write, sends a visitor who has not signed in to the
    sign-in page, and changes nothing."""
    before = snapshot(scene)
    assert refusals(client, scene, sent_to_login) == []
    assert snapshot(scene) == before


def test_participant_cookie_is_sent_to_sign_in(participant_client, scene):
    """A participant's join cookie is not a sign-in: every URL sends them to sign in, and
    nothing changes."""
    before = snapshot(scene)
    assert refusals(participant_client, scene, sent_to_login) == []
    assert snapshot(scene) == before


def test_facilitator_is_forbidden(client, facilitator, scene):
    """Facilitators are signed in but may not analyse: 403 from every URL, nothing changed."""
    client.force_login(facilitator)
    before = snapshot(scene)
    assert refusals(client, scene, lambda response: response.status_code == 403) == []
    assert snapshot(scene) == before


@pytest.mark.parametrize("name", ["series_list", "series_board", "workshop_board", "contributions"])
def test_analyst_reads_the_pages(client, analyst, scene, name):
    client.force_login(analyst)
    for method, url, data in requests_for(scene)[name]:
        assert send(client, method, url, data).status_code == 200


def test_analyst_judges_an_item(client, analyst, scene):
    """Confirming a theme's class saves the decision and returns to the item on the board."""
    client.force_login(analyst)
    ((_, url, data),) = requests_for(scene)["judge"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == (
        reverse("synthesis:series_board", args=[scene.series.pk]) + f"#theme-{scene.theme.pk}"
    )
    judgement = Judgement.objects.get(theme=scene.theme)
    assert (judgement.verdict, judgement.computed) == ("insufficient_data", "insufficient_data")
    assert judgement.decided_by == analyst


def test_analyst_overrides_with_a_reason(client, analyst, scene):
    """An override with a reason replaces the post's earlier decision."""
    client.force_login(analyst)
    url = reverse("synthesis:judge", args=[scene.series.pk, "contribution", scene.agreed.pk])
    response = client.post(url, {"verdict": "majority_view", "reason": "Heard in the room"})
    assert response.status_code == 302
    judgement = Judgement.objects.get(contribution=scene.agreed)
    assert judgement.pk == scene.judgement.pk
    assert (judgement.verdict, judgement.reason) == ("majority_view", "Heard in the room")
    assert Judgement.objects.count() == 1


def test_analyst_withdraws_a_decision(client, analyst, scene):
    client.force_login(analyst)
    ((_, url, data),) = requests_for(scene)["withdraw"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url.endswith(f"#contribution-{scene.agreed.pk}")
    assert not Judgement.objects.exists()


def test_analyst_creates_a_theme(client, analyst, scene):
    client.force_login(analyst)
    assert client.get(reverse("synthesis:themes", args=[scene.series.pk])).status_code == 200
    _, (_, url, data) = requests_for(scene)["themes"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("synthesis:themes", args=[scene.series.pk])
    theme = Theme.objects.get(title="New theme")
    assert set(theme.contributions.all()) == {scene.agreed, scene.spare}
    assert theme.created_by == analyst


def test_analyst_edits_a_theme(client, analyst, scene):
    client.force_login(analyst)
    (_, url, _), (_, _, data) = requests_for(scene)["theme_edit"]
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["contributions"] == ", ".join(
        str(p.pk) for p in scene.theme.contributions.all()
    )
    assert client.post(url, data).status_code == 302
    scene.theme.refresh_from_db()
    assert scene.theme.title == "Renamed"
    assert set(scene.theme.contributions.all()) == {scene.agreed, scene.spare}


def test_analyst_deletes_a_theme(client, analyst, scene):
    client.force_login(analyst)
    ((_, url, data),) = requests_for(scene)["theme_delete"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert not Theme.objects.exists()
    assert Contribution.objects.filter(pk__in=[p.pk for p in scene.linked]).count() == 2


def test_analyst_writes_a_finding(client, analyst, scene):
    client.force_login(analyst)
    (_, url, _), (_, _, data) = requests_for(scene)["findings"]
    assert client.get(url).status_code == 200
    data = {**data, "contributions": f"{scene.spare.pk}", "themes": [scene.theme.pk]}
    response = client.post(url, data)
    assert response.status_code == 302
    finding = Finding.objects.get(title="New finding")
    assert list(finding.contributions.all()) == [scene.spare]
    assert list(finding.themes.all()) == [scene.theme]
    assert finding.created_by == analyst


def test_analyst_edits_a_finding(client, analyst, scene):
    client.force_login(analyst)
    (_, url, _), (_, _, data) = requests_for(scene)["finding_edit"]
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 302
    assert Finding.objects.count() == 1
    scene.finding.refresh_from_db()
    assert scene.finding.title == "Renamed finding"
    assert not scene.finding.contributions.exists()


def test_analyst_deletes_a_finding(client, analyst, scene):
    client.force_login(analyst)
    ((_, url, data),) = requests_for(scene)["finding_delete"]
    assert client.post(url, data).status_code == 302
    assert not Finding.objects.exists()


def test_post_only_urls_refuse_get(client, analyst, scene):
    """Judging, withdrawing and deleting change data, so they take POST only."""
    client.force_login(analyst)
    before = snapshot(scene)
    for name in ("judge", "withdraw", "theme_delete", "finding_delete"):
        ((_, url, _),) = requests_for(scene)[name]
        assert client.get(url).status_code == 405
    assert snapshot(scene) == before


# Bad input


def judge_url(scene, kind, pk):
    return reverse("synthesis:judge", args=[scene.series.pk, kind, pk])


@pytest.mark.parametrize("target", ["unknown-kind", "unknown-post", "hidden", "elsewhere"])
def test_judging_something_not_on_the_board_is_404(client, analyst, scene, target):
    """An unknown kind, an unknown number, a hidden post or another series' post is a 404."""
    client.force_login(analyst)
    hidden = post_in(scene.workshop, state=Contribution.State.HIDDEN)
    kind, pk = {
        "unknown-kind": ("finding", scene.agreed.pk),
        "unknown-post": ("contribution", 999_999),
        "hidden": ("contribution", hidden.pk),
        "elsewhere": ("contribution", post_in(make_workshop()).pk),
    }[target]
    before = snapshot(scene)
    response = client.post(judge_url(scene, kind, pk), {"verdict": "mixed", "reason": "x"})
    assert response.status_code == 404
    assert snapshot(scene) == before


def test_override_without_a_reason_is_explained_beside_the_reason(client, analyst, scene):
    """Changing the class without a reason saves nothing; the board shows again with the
    summary at the top, the error beside the reason box and the chosen class kept."""
    client.force_login(analyst)
    url = judge_url(scene, "theme", scene.theme.pk)
    response = client.post(url, {"verdict": "common_ground", "reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    anchor = f"theme-{scene.theme.pk}"
    assert "<title>Error: " in html
    assert f'<a href="#reason-{anchor}">Please say why you are changing' in html
    assert f'id="reason-{anchor}_error"' in html
    assert re.search(r'<option value="common_ground" selected>', html)
    assert not Judgement.objects.filter(theme=scene.theme).exists()


def test_unknown_class_is_explained_on_the_board(client, analyst, scene):
    client.force_login(analyst)
    url = judge_url(scene, "theme", scene.theme.pk)
    response = client.post(url, {"verdict": "nonsense", "reason": "x"})
    assert response.status_code == 400
    assert "Choose one of the classes listed" in response.content.decode()
    assert not Judgement.objects.filter(theme=scene.theme).exists()


def test_theme_form_with_a_non_number_is_400(client, analyst, scene):
    """ "12, abc" is answered with a clear error and no theme."""
    client.force_login(analyst)
    url = reverse("synthesis:themes", args=[scene.series.pk])
    before = snapshot(scene)
    response = client.post(url, {"title": "Typo", "contributions": "12, abc"})
    assert response.status_code == 400
    assert "Type post numbers only" in response.content.decode()
    assert snapshot(scene) == before


def test_theme_form_names_unknown_posts(client, analyst, scene):
    client.force_login(analyst)
    url = reverse("synthesis:themes", args=[scene.series.pk])
    before = snapshot(scene)
    response = client.post(
        url, {"title": "Unknown", "contributions": f"{scene.spare.pk}, 999998, 999999"}
    )
    assert response.status_code == 400
    assert "not visible posts of this series: 999998, 999999" in response.content.decode()
    assert snapshot(scene) == before


def test_theme_form_links_a_post_already_in_a_theme(client, analyst, scene):
    """A post may be in several themes: the new theme takes it, the old one keeps it."""
    client.force_login(analyst)
    url = reverse("synthesis:themes", args=[scene.series.pk])
    response = client.post(
        url, {"title": "Again", "contributions": f"{scene.spare.pk}, {scene.linked[0].pk}"}
    )
    assert response.status_code == 302
    again = Theme.objects.get(title="Again")
    assert set(again.contributions.all()) == {scene.spare, scene.linked[0]}
    assert set(scene.theme.contributions.all()) == set(scene.linked)


def test_board_lists_a_theme_across_recommendations_once(client, analyst, scene):
    """A theme over posts on recommendations 1 and 3 is shown once, in its own section."""
    client.force_login(analyst)
    across = services.theme_create(
        series=scene.series,
        title="Across the plan",
        contribution_ids=[scene.agreed.pk, scene.spare.pk],
        user=analyst,
    )
    page = client.get(reverse("synthesis:series_board", args=[scene.series.pk])).content.decode()
    assert "Themes across recommendations" in page
    assert page.count(f'id="theme-{across.pk}"') == 1
    assert f"Theme {across.pk} · 2 linked posts · recommendations 1, 3" in page


def test_theme_form_refuses_a_post_of_another_series(client, analyst, scene):
    """A post of another series is named as not a post of this one, and nothing changes."""
    client.force_login(analyst)
    foreign = post_in(make_workshop())
    url = reverse("synthesis:themes", args=[scene.series.pk])
    before = snapshot(scene)
    response = client.post(
        url, {"title": "Abroad", "contributions": f"{scene.spare.pk}, {foreign.pk}"}
    )
    assert response.status_code == 400
    assert f"not visible posts of this series: {foreign.pk}" in response.content.decode()
    assert snapshot(scene) == before


def test_theme_edit_with_bad_numbers_is_400_and_changes_nothing(client, analyst, scene):
    client.force_login(analyst)
    url = reverse("synthesis:theme_edit", args=[scene.series.pk, scene.theme.pk])
    before = snapshot(scene)
    for numbers in ("12, abc", f"{scene.linked[0].pk}"):
        assert client.post(url, {"title": "Renamed", "contributions": numbers}).status_code == 400
    assert snapshot(scene) == before


@pytest.mark.parametrize("missing", ["title", "body"])
def test_findings_form_missing_title_or_body_is_400(client, analyst, scene, missing):
    client.force_login(analyst)
    url = reverse("synthesis:findings", args=[scene.series.pk])
    data = {"title": "A finding", "body": "Said by all.", "kind": "debate"}
    data[missing] = ""
    before = snapshot(scene)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Enter the finding" in response.content.decode()
    assert snapshot(scene) == before


def test_findings_form_names_unknown_evidence(client, analyst, scene):
    client.force_login(analyst)
    url = reverse("synthesis:findings", args=[scene.series.pk])
    elsewhere = post_in(make_workshop())
    data = {
        "title": "A finding",
        "body": "Said by all.",
        "kind": "debate",
        "contributions": f"{scene.spare.pk}, 999999, {elsewhere.pk}",
    }
    before = snapshot(scene)
    response = client.post(url, data)
    assert response.status_code == 400
    numbers = ", ".join(str(n) for n in sorted([999_999, elsewhere.pk]))
    assert f"not visible posts of this series: {numbers}" in response.content.decode()
    assert snapshot(scene) == before


def test_findings_form_refuses_a_theme_of_another_series(client, analyst, scene):
    client.force_login(analyst)
    elsewhere = make_workshop()
    foreign = services.theme_create(
        series=elsewhere.series,
        title="Elsewhere",
        contribution_ids=[post_in(elsewhere).pk, post_in(elsewhere).pk],
        user=analyst,
    )
    url = reverse("synthesis:findings", args=[scene.series.pk])
    data = {"title": "A finding", "body": "b", "kind": "debate", "themes": [foreign.pk]}
    assert client.post(url, data).status_code == 400
    assert Finding.objects.count() == 1


@pytest.mark.parametrize("board", ["series", "workshop"])
def test_garbage_filters_are_ignored(client, analyst, scene, board):
    """Nonsense in the query string shows the board, not an error."""
    client.force_login(analyst)
    url = (
        reverse("synthesis:series_board", args=[scene.series.pk])
        if board == "series"
        else reverse("synthesis:workshop_board", args=[scene.workshop.pk])
    )
    for query in (
        "?verdict=nonsense&workshop=abc&sort=zzz",
        "?region=Atlantis&group=999&recommendation=x",
        "?workshop=999999&verdict=",
    ):
        response = client.get(url + query)
        assert response.status_code == 200
        assert "Named key workers for families" in response.content.decode()


def test_unknown_series_or_workshop_is_404(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("synthesis:series_board", args=[999_999])).status_code == 404
    assert client.get(reverse("synthesis:workshop_board", args=[999_999])).status_code == 404


def test_a_filter_narrows_the_board_page(client, analyst, scene):
    """A valid verdict filter shows only the items of that class."""
    client.force_login(analyst)
    url = reverse("synthesis:series_board", args=[scene.series.pk])
    content = client.get(url, {"verdict": "mixed"}).content.decode()
    assert "Named key workers for families" in content
    assert "Joined-up plans" not in content


# What the board says


def test_board_shows_group_counts_and_class_labels(client, analyst, scene):
    """Each item reads in words: per-group counts, groups too few to judge, and its class."""
    Judgement.objects.all().delete()
    client.force_login(analyst)
    content = client.get(reverse("synthesis:series_board", args=[scene.series.pk])).content.decode()
    assert "Parent carer forum: 3 of 3 agree" in content
    assert "Local government: 3 of 3 agree" in content
    assert "no votes yet — too few to judge" in content
    assert "Common ground" in content
    assert "Insufficient data" in content
    assert "Joined-up plans" in content


def test_board_shows_an_override_with_its_reason(client, analyst, scene):
    client.force_login(analyst)
    content = client.get(reverse("synthesis:series_board", args=[scene.series.pk])).content.decode()
    assert "overridden by sam.analyst" in content
    assert "(suggested: Common ground)" in content
    assert "The room was divided in discussion" in content
    assert "Votes have changed since this decision" not in content


def test_board_says_when_votes_have_changed_since_a_decision(client, analyst, scene):
    """New votes that move the rule's class are flagged; the analyst's class stays."""
    give_votes(scene.agreed, "health", 0, 4)
    client.force_login(analyst)
    content = client.get(reverse("synthesis:series_board", args=[scene.series.pk])).content.decode()
    assert "Votes have changed since this decision" in content
    assert "the rule now suggests Debate (opposed)" in content
    assert "<strong>Mixed</strong>" in content


def test_workshop_board_shows_only_its_workshop(client, analyst, scene):
    """The workshop board leaves out posts from the series' other workshops."""
    client.force_login(analyst)
    other = make_workshop(series=scene.series)
    post_in(other, text="Only said in the other room")
    content = client.get(
        reverse("synthesis:workshop_board", args=[scene.workshop.pk])
    ).content.decode()
    assert "Named key workers for families" in content
    assert "Only said in the other room" not in content


# Query count


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def filled_series(posts, analyst):
    """A workshop of `posts` voted posts, two of them linked into a theme and one judged."""
    workshop = make_workshop(region="North")
    contributions = populate(workshop, posts=posts)
    services.theme_create(
        series=workshop.series,
        title="Linked",
        contribution_ids=[contributions[0].pk, contributions[1].pk],
        user=analyst,
    )
    Judgement.objects.create(
        series=workshop.series,
        contribution=contributions[2],
        verdict="mixed",
        computed="common_ground",
        reason="Checked",
        decided_by=analyst,
    )
    return workshop


def test_board_page_query_count_does_not_grow(client, analyst):
    """The board costs the same few queries with 8 posts as with 80."""
    client.force_login(analyst)
    small, large = filled_series(8, analyst), filled_series(80, analyst)
    for name, target in (("series_board", "series"), ("workshop_board", None)):
        small_url = reverse(f"synthesis:{name}", args=[(small.series if target else small).pk])
        large_url = reverse(f"synthesis:{name}", args=[(large.series if target else large).pk])
        page_queries(client, small_url)  # the first request warms the session
        small_count = page_queries(client, small_url)
        large_count = page_queries(client, large_url)
        assert small_count == large_count
        assert large_count <= BOARD_PAGE_MAX_QUERIES, large_count
