from collections import defaultdict

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, prefetch_related_objects
from django.template.defaultfilters import pluralize

from participants.models import Contribution, Participant, StakeholderGroup, Vote
from synthesis import tallies
from synthesis.models import FindingResponse, ReportText, ReportVersion
from synthesis.stats import OTHER, Tally, Thresholds, classify


def report_text(series, workshop=None):
    """The front matter a report prints: a workshop's own where it has one, else the series';
    unsaved defaults where nothing is written yet."""
    own = ReportText.objects.filter(series=series, workshop=workshop).first() if workshop else None
    saved = own or ReportText.objects.filter(series=series, workshop=None).first()
    return saved or ReportText(series=series)


def report_text_to_edit(series, workshop=None):
    """What the editor of a report's text opens: the saved text, or for a workshop without
    its own a copy of the series' text to start from."""
    saved = ReportText.objects.filter(series=series, workshop=workshop).first()
    if saved:
        return saved
    start = report_text(series)
    return ReportText(
        series=series,
        workshop=workshop,
        **{name: getattr(start, name) for name in ReportText.FIELDS},
    )


def recommendations_to_complete(series):
    """The framework's recommendations still to be completed, each with how many visible posts
    of the series answer it: the report prints none of them under a heading."""
    answered = Q(
        prompts__workshop__series=series,
        prompts__contributions__state=Contribution.State.VISIBLE,
    )
    placeholders = series.framework.recommendations().filter(needs_completion=True)
    return [
        (rec, rec.posts)
        for rec in placeholders.annotate(posts=Count("prompts__contributions", filter=answered))
    ]


def thresholds():
    return Thresholds(**settings.SYNTHESIS_THRESHOLDS)


def group_tallies(contributions, groups=None):
    """{contribution id: {group slug: Tally}} for a queryset of contributions, in one query
    (two without `groups`, every StakeholderGroup, which the caller often has already).

    Read from the counts kept as votes are cast (synthesis.tallies), so the author's own
    vote is left out, whatever the route it came by.
    """
    groups = StakeholderGroup.objects.all() if groups is None else groups
    return tallies.stored_by_post(contributions.values("pk"), groups)


def vote_counts():
    """{group slug: {"agree"|"disagree"|"passes": n}}, filled in as votes are counted."""
    return defaultdict(lambda: defaultdict(int))


def as_tallies(counts):
    return {slug: Tally(**fields) for slug, fields in counts.items()}


def present_groups(*, series=None, workshop=None):
    """Slugs of the groups (other than "other") with anyone taking part in the scope."""
    people = Participant.objects.filter(is_scribe=False)
    people = (
        people.filter(workshop=workshop) if workshop else people.filter(workshop__series=series)
    )
    slugs = people.exclude(group__slug=OTHER).values_list("group__slug", flat=True).distinct()
    return set(slugs.order_by())


def attach_tallies(contributions, *, classify_in=None):
    """Give each contribution `.tallies`, (group, Tally) for every group in display order,
    and `.total`, the Tally over all groups. With `classify_in` (a workshop), also
    `.reading`: the suggested class among the groups present there."""
    contributions = list(contributions)
    groups = list(StakeholderGroup.objects.all())
    tallies = group_tallies(
        Contribution.objects.filter(pk__in=[c.pk for c in contributions]), groups
    )
    present = present_groups(workshop=classify_in) if classify_in else None
    for contribution in contributions:
        by_group = tallies.get(contribution.pk, {})
        contribution.tallies = [(group, by_group.get(group.slug, Tally())) for group in groups]
        contribution.total = sum(by_group.values(), Tally())
        if present is not None:
            contribution.reading = classify(by_group, present, thresholds())
    return contributions


def series_contributions(
    series, *, workshop=None, region="", pillar=None, recommendation=None, group=None
):
    """Every contribution in a series, filtered as an analyst asks, with per-group tallies."""
    contributions = (
        Contribution.objects.filter(workshop__series=series)
        .select_related("workshop", "participant__group", "prompt__recommendation__pillar")
        .order_by("prompt__recommendation__number", "-created")
    )
    if workshop:
        contributions = contributions.filter(workshop=workshop)
    if region:
        contributions = contributions.filter(workshop__region=region)
    if pillar:
        contributions = contributions.filter(prompt__recommendation__pillar=pillar)
    if recommendation:
        contributions = contributions.filter(prompt__recommendation=recommendation)
    if group:
        contributions = contributions.filter(participant__group=group)
    return attach_tallies(contributions)


def findings_with_figures(series):
    """A series' key findings, each with `.figures`: the numbers behind it, in words."""
    findings = series.findings.select_related("pillar").prefetch_related(
        "contributions__participant__group",
        "contributions__workshop",
        "themes__contributions__participant__group",
        "themes__contributions__workshop",
    )
    for finding in findings:
        finding.figures = finding_figures(finding)
    return findings


def findings_with_history(series):
    """`findings_with_figures`, each finding also with its responses as `history`, newest
    first: where things stand on top."""
    findings = list(findings_with_figures(series))
    newest_first = FindingResponse.objects.order_by("-date", "-pk")
    prefetch_related_objects(
        findings, Prefetch("responses", queryset=newest_first, to_attr="history")
    )
    return findings


def finding_figures(finding):
    """The numbers behind a finding, in words: its evidence, the votes on it, who voted and
    where: "3 posts and 1 theme, 64 votes from Parent carer forum, …; National, North West"."""
    themes = list(finding.themes.all())
    posts = {p.pk: p for p in finding.contributions.all()}
    posts.update({m.pk: m for theme in themes for m in theme.contributions.all()})
    shown = [p for p in posts.values() if p.state == Contribution.State.VISIBLE]
    if not shown:
        return ""
    votes = Vote.objects.filter(contribution__in=shown).exclude(
        participant=F("contribution__participant")
    )
    groups = StakeholderGroup.objects.filter(pk__in=votes.values("participant__group")).values_list(
        "name", flat=True
    )
    regions = sorted({p.workshop.region for p in shown if p.workshop.region})
    cited_posts = [p for p in finding.contributions.all() if p in shown]
    cited = f"{len(cited_posts)} post{pluralize(len(cited_posts))}"
    if themes:
        cited += f" and {len(themes)} theme{pluralize(len(themes))}"
    count = votes.count()
    who = f" from {', '.join(groups)}" if count else ""
    where = f"; {', '.join(regions)}" if regions else ""
    return f"Evidence: {cited}, {count} vote{pluralize(count)}{who}{where}."


def next_report_version(series):
    """The number the report being worked on will have: one more than the last final's (or
    the one being made final), a failed attempt's number being free again."""
    versions = series.report_versions.exclude(status=ReportVersion.Status.FAILED)
    last = versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1
