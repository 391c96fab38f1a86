from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import AuditEntry
from facilitation.models import Spotlight, WallDisplay
from participants.models import Contribution
from synthesis.board import GroupLine
from synthesis.models import ReportVersion
from synthesis.publication import public_results
from synthesis.selectors import attach_tallies
from synthesis.stats import Verdict
from workshops.models import Workshop
from workshops.selectors import short_address

WALL_LENGTH = 30
# Read from the back of a hall, a few results each way are all a wall can hold.
WALL_RESULTS_SHOWN = 3
# Posts the rule puts nearest to common ground, best first.
COMMON_GROUND_VERDICTS = (Verdict.COMMON_GROUND, Verdict.MAJORITY_VIEW)


def console_workshops():
    """Workshops as the console shows them, each with `spotlight_id`: the post on its wall,
    and `results_published`: whether the wall can show what we heard."""
    on_the_wall = Spotlight.objects.filter(workshop=OuterRef("pk")).values("contribution_id")
    # As synthesis.publication.published_version, in the same query as the workshop.
    published = ReportVersion.objects.filter(
        series=OuterRef("series"), published__isnull=False, status=ReportVersion.Status.FINAL
    )
    return Workshop.objects.select_related("series").annotate(
        spotlight_id=Subquery(on_the_wall), results_published=Exists(published)
    )


def series_workshops(series):
    return series.workshops.annotate(
        participant_count=Count(
            "participants", filter=Q(participants__is_scribe=False), distinct=True
        ),
    )


def people_joined(workshop):
    """How many have joined on their phones, how many of them in the last minute, and
    whether that minute's count is a spike: one script joining again and again would have
    its votes counted again and again, and only the room can tell it from people arriving."""
    since = timezone.now() - timedelta(minutes=1)
    counts = workshop.participants.filter(is_scribe=False).aggregate(
        total=Count("pk"), last_minute=Count("pk", filter=Q(created__gte=since))
    )
    return {**counts, "spike": counts["last_minute"] >= settings.JOIN_SPIKE_PER_MINUTE}


def workshop_prompts(workshop):
    return workshop.prompts.select_related("recommendation__pillar").annotate(
        contribution_count=Count("contributions", filter=Q(contributions__state="visible"))
    )


def _console_queryset():
    return Contribution.objects.select_related("workshop", "participant__group", "prompt").order_by(
        "-created", "-pk"
    )


def vote_shares(total):
    """A post's votes as whole percentages that add up to 100 (largest remainders round
    up), with where each part of its stacked bar starts; None without votes."""
    counts = {"agree": total.agree, "disagree": total.disagree, "passes": total.passes}
    if not total.total:
        return None
    exact = {part: 100 * count / total.total for part, count in counts.items()}
    shares = {part: int(value) for part, value in exact.items()}
    by_remainder = sorted(exact, key=lambda part: shares[part] - exact[part])
    for part in by_remainder[: 100 - sum(shares.values())]:
        shares[part] += 1
    return {
        **shares,
        "disagree_from": shares["agree"],
        "passes_from": shares["agree"] + shares["disagree"],
    }


def _for_console(contributions, workshop):
    contributions = attach_tallies(contributions, classify_in=workshop)
    for contribution in contributions:
        contribution.shares = vote_shares(contribution.total)
    return contributions


def tables_in_use(workshop):
    """The table numbers people gave on joining, for the console's filter."""
    numbers = workshop.participants.exclude(table_number=None).values_list("table_number")
    return [number for (number,) in numbers.distinct().order_by("table_number")]


def console_contributions(workshop, *, group=None, table=None):
    contributions = _console_queryset().filter(workshop=workshop)
    if group:
        contributions = contributions.filter(participant__group=group)
    if table:
        contributions = contributions.filter(participant__table_number=table)
    return _for_console(contributions, workshop)


def console_contributions_by_id(contribution_ids):
    """Posts (of one workshop) as the console shows them, with tallies and suggested class."""
    contributions = list(_console_queryset().filter(pk__in=contribution_ids))
    if not contributions:
        return []
    return _for_console(contributions, contributions[0].workshop)


# Enough to choose from; more words narrow the search.
MERGE_SEARCH_LIMIT = 10
MERGE_SEARCH_MAX_LENGTH = 200


def merge_search(post, words):
    """Posts of the same workshop whose text holds these words, to merge `post` into."""
    words = words.replace("\x00", "").strip()
    if not words:
        return []
    others = (
        Contribution.objects.filter(workshop=post.workshop_id, text__icontains=words)
        .select_related("participant__group")
        .exclude(pk=post.pk)
        .exclude(state=Contribution.State.MERGED)
        .order_by("-created", "-pk")
    )
    return list(others[:MERGE_SEARCH_LIMIT])


def erasure_summary(participant):
    """What erasing someone deletes, counted for the facilitator to confirm."""
    return {
        "posts": participant.contributions.count(),
        "votes": participant.votes.count(),
    }


def console_contribution(contribution_id):
    return console_contributions_by_id([contribution_id])[0]


def wall_display(workshop_id):
    """What the wall shows; an unsaved default (posts as they come) until a console chooses."""
    chosen = WallDisplay.objects.select_related("prompt").filter(workshop_id=workshop_id)
    return chosen.first() or WallDisplay(workshop_id=workshop_id)


def _on_the_wall(workshop, display):
    """Visible posts of the open questions; while paused, only those there when it paused."""
    posts = Contribution.objects.filter(
        workshop=workshop, state=Contribution.State.VISIBLE, prompt__is_open=True
    )
    return posts.filter(created__lte=display.paused_at) if display.paused else posts


def wall_columns(workshop, display):
    """The open questions, each with `.wall_posts`, newest first: one column each."""
    prompts = list(workshop.prompts.filter(is_open=True))
    shown = _on_the_wall(workshop, display)
    ids = [
        pk
        for prompt in prompts
        for pk in shown.filter(prompt=prompt)
        .order_by("-created", "-pk")
        .values_list("pk", flat=True)[:WALL_LENGTH]
    ]
    posts = attach_tallies(_console_queryset().filter(pk__in=ids)) if ids else []
    for prompt in prompts:
        prompt.wall_posts = [post for post in posts if post.prompt_id == prompt.pk]
    return prompts


def posts_waiting(workshop, display):
    """How many posts a paused wall has not shown yet."""
    if not display.paused:
        return 0
    return (
        Contribution.objects.filter(
            workshop=workshop,
            state=Contribution.State.VISIBLE,
            prompt__is_open=True,
            created__gt=display.paused_at,
        )
        .order_by()
        .count()
    )


def _judged_groups(post):
    """Each covered group's view of a post, for bars and words; the others are left out."""
    groups = {group.slug: group for group, _ in post.tallies}
    return [
        GroupLine(groups[slug], post.reading.groups[slug].tally, post.reading.groups[slug].stance)
        for slug in post.reading.covered
    ]


def _spread(post):
    rates = [post.reading.groups[slug].agree_rate for slug in post.reading.covered]
    return max(rates) - min(rates)


def wall_results(workshop, prompt=None):
    """ "Common ground so far" and "where we differ", by the synthesis rule: only posts it
    judges (never those below its thresholds), with each covered group's votes; no names."""
    posts = _console_queryset().filter(workshop=workshop, state=Contribution.State.VISIBLE)
    if prompt is not None:
        posts = posts.filter(prompt=prompt)
    judged = [
        post
        for post in attach_tallies(posts, classify_in=workshop)
        if post.reading.verdict is not Verdict.INSUFFICIENT_DATA
    ]
    for post in judged:
        post.lines = _judged_groups(post)
    common = sorted(
        (post for post in judged if post.reading.verdict in COMMON_GROUND_VERDICTS),
        key=lambda post: (
            COMMON_GROUND_VERDICTS.index(post.reading.verdict),
            -post.reading.consensus_geomean,
            -post.total.total,
        ),
    )
    differ = sorted(
        (post for post in judged if post.reading.verdict.is_debate),
        key=lambda post: (-_spread(post), -post.total.total),
    )
    return {"common": common[:WALL_RESULTS_SHOWN], "differ": differ[:WALL_RESULTS_SHOWN]}


# Read from the back of a hall, a few findings fill the slide; the rest are online.
WALL_FINDINGS_SHOWN = 3


def results_page(series):
    """Where anyone can follow a series' results: the address for its QR code, and the same
    as people type it. On the site's own address, which the wall's host may not be."""
    return {"url": series.results_url, "address": short_address(series.results_url)}


def wall_heard(series):
    """ "What we heard, and what happened": the published key findings, the first few with
    where the latest response to each stands, and how many more there are; None before
    anything is published. Only what the public page shows: masked text, no names."""
    results = public_results(series)
    if results is None:
        return None
    findings = results["findings"]
    shown = [
        {**finding, "latest": finding["responses"][-1] if finding["responses"] else None}
        for finding in findings[:WALL_FINDINGS_SHOWN]
    ]
    return {"findings": shown, "more": len(findings) - len(shown)}


def wall_content(workshop, display):
    """What the wall's live part holds. A closed workshop's wall thanks the room and says
    where to see what happens next, whatever it showed before."""
    if workshop.status == Workshop.Status.CLOSED:
        return {"closed": True, "results_page": results_page(workshop.series)}
    if display.shows_heard:
        return {"heard": wall_heard(workshop.series), "results_page": results_page(workshop.series)}
    if display.shows_results:
        return {"results": wall_results(workshop, display.prompt)}
    return {"spotlight": spotlight(workshop.pk), "columns": wall_columns(workshop, display)}


def spotlight(workshop_id):
    """The post on this workshop's wall, or None."""
    chosen = (
        Spotlight.objects.select_related("contribution__participant__group")
        .filter(workshop_id=workshop_id)
        .first()
    )
    return chosen.contribution if chosen else None


def is_spotlit(contribution):
    return Spotlight.objects.filter(
        workshop_id=contribution.workshop_id, contribution=contribution
    ).exists()


def organisation_audit(organisation, limit=200):
    """The latest entries of an organisation's audit log: its members and frameworks, and
    everything done in its workshops."""
    workshop_ids = Workshop.objects.filter(series__organisation=organisation).values("pk")
    entries = AuditEntry.objects.filter(
        Q(organisation=organisation) | Q(workshop_id__in=workshop_ids)
    ).select_related("actor")
    return entries[:limit]
