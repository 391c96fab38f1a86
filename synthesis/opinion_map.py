"""The opinion map: who votes alike, beside the groups people declared (shared/SYNTHESIS.md).

In a workshop everyone could vote on the same posts, so people are placed by their votes on
them. Across a series, votes on different workshops' posts never meet (a series-wide map
would only separate workshops), so the series' map is drawn over its themes, whose votes
pool across workshops, each person keeping their latest vote on a theme's posts.

Agree 1, disagree -1, pass 0; a post someone did not vote on takes the mean of those who did.
Only people with enough votes are mapped. PCA to two dimensions, then k-means for k = 2..5,
keeping the k with the best silhouette (fixed seed: the same votes always draw the same
map). Too few people, or no k that separates them well, draws no map, and says why.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Max
from django.utils.text import Truncator

from participants.models import Contribution, Participant, StakeholderGroup, Vote
from synthesis.board import latest_theme_votes
from synthesis.stats import Tally, distinguish

SCORE = {Vote.Choice.AGREE: 1.0, Vote.Choice.DISAGREE: -1.0, Vote.Choice.PASS: 0.0}
CLUSTER_NAMES = "ABCDE"
KS = range(2, 6)
SEED = 0
DISTINCTIVE_ITEMS = 3
OTHER = "other"


@dataclass(frozen=True)
class Thresholds:
    """settings.OPINION_MAP_THRESHOLDS, where each is explained."""

    min_votes: int
    min_participants: int
    min_silhouette: float
    min_group_people: int
    split_share: float
    alliance_share: float


@dataclass(frozen=True)
class Layout:
    """People placed and clustered: `labels[i]` is person i's cluster, 0 the largest."""

    coordinates: np.ndarray
    labels: np.ndarray
    silhouette: float


@dataclass(frozen=True)
class Person:
    pk: int
    group: StakeholderGroup
    x: float
    y: float
    cluster: str


@dataclass
class Cluster:
    name: str
    people: list
    by_group: dict  # slug -> number of the cluster's people of that group
    distinctive: list = field(default_factory=list)  # (text, Distinction), most apart first


@dataclass(frozen=True)
class Split:
    group: StakeholderGroup
    counts: list  # (cluster name, people), largest first
    shown: bool  # the group is big enough for its numbers to be given

    @property
    def sentence(self):
        if not self.shown:
            names = ", ".join(f"cluster {name}" for name, _ in self.counts)
            return f"{self.group.name} split between {names}."
        parts = ", ".join(f"{n} in cluster {name}" for name, n in self.counts)
        return f"{self.group.name} split: {parts}."


@dataclass(frozen=True)
class Alliance:
    cluster: Cluster
    groups: list  # (group, people in the cluster, people mapped), largest share first
    shown: dict  # slug -> whether that group's numbers may be given

    @property
    def sentence(self):
        names = [
            f"{group.name} ({n} of {total})" if self.shown[group.slug] else group.name
            for group, n, total in self.groups
        ]
        joined = ", ".join(names[:-1]) + f" and {names[-1]}"
        sentence = f"Cluster {self.cluster.name} brings together {joined}"
        if self.cluster.distinctive:
            text, distinction = self.cluster.distinctive[0]
            verb = "agreeing" if distinction.direction == "agree" else "disagreeing"
            sentence += f", above all {verb} that “{Truncator(text).chars(90)}”"
        return sentence + "."


@dataclass
class OpinionMap:
    scope: str  # "workshop" or "series"
    reason: str = ""  # why no map is drawn; empty when there is one
    people: list = field(default_factory=list)
    clusters: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # declared groups with anyone mapped, in order
    group_sizes: dict = field(default_factory=dict)  # slug -> people mapped
    splits: list = field(default_factory=list)
    alliances: list = field(default_factory=list)
    silhouette: float | None = None
    small_number: int = 5

    def shown(self, slug):
        """Whether a group's numbers may be given on their own (the small-numbers rule)."""
        return self.group_sizes.get(slug, 0) >= self.small_number

    def table(self):
        """(group, [people in each cluster] or None when too few to show) per group."""
        return [
            (group, [c.by_group.get(group.slug, 0) for c in self.clusters])
            if self.shown(group.slug)
            else (group, None)
            for group in self.groups
        ]

    def as_json(self):
        if self.reason:
            return {"clusters": [], "splits": [], "alliances": [], "reason": self.reason}
        return {
            "clusters": [
                {
                    "name": c.name,
                    "participants": [p.pk for p in c.people],
                    "by_group": c.by_group,
                }
                for c in self.clusters
            ],
            "silhouette": round(self.silhouette, 3),
            "splits": [
                {"group": s.group.slug, "clusters": dict(s.counts), "sentence": s.sentence}
                for s in self.splits
            ],
            "alliances": [
                {
                    "cluster": a.cluster.name,
                    "groups": [group.slug for group, _, _ in a.groups],
                    "sentence": a.sentence,
                }
                for a in self.alliances
            ],
        }


def thresholds():
    return Thresholds(**settings.OPINION_MAP_THRESHOLDS)


def opinion_map(series, workshop=None):
    """The map of a workshop, or of a series over its themes; kept until a vote changes."""
    votes = _votes_in(series, workshop)
    fingerprint = votes.aggregate(n=Count("pk"), last=Max("updated"))
    key = (
        "opinion-map:"
        + hashlib.sha256(
            repr((series.pk, workshop and workshop.pk, fingerprint, thresholds())).encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = _draw(series, workshop)
        cache.set(key, found, timeout=None)
    return found


def _votes_in(series, workshop):
    """The votes a map is drawn from: on the workshop's posts, or on the series' themes'."""
    votes = Vote.objects.filter(
        contribution__state=Contribution.State.VISIBLE, participant__is_scribe=False
    ).exclude(participant=F("contribution__participant"))
    if workshop:
        return votes.filter(contribution__workshop=workshop)
    return votes.filter(contribution__themes__series=series)


def _draw(series, workshop):
    rules = thresholds()
    scope = "workshop" if workshop else "series"
    choices, texts = _workshop_choices(workshop) if workshop else _theme_choices(series)
    people, items, matrix = _matrix(choices, rules.min_votes)
    things = "posts" if workshop else "themes"
    if len(people) < rules.min_participants:
        return OpinionMap(
            scope,
            reason=(
                f"No clear opinion groups yet: {len(people)} "
                f"{'person has' if len(people) == 1 else 'people have'} voted on "
                f"{rules.min_votes} {things} or more, and a map needs "
                f"{rules.min_participants}."
            ),
        )
    layout = place(matrix)
    if layout.silhouette < rules.min_silhouette:
        return OpinionMap(
            scope,
            reason=(
                "No clear opinion groups yet: the votes do not fall into distinct groups "
                f"(the best separation, {layout.silhouette:.2f}, is below "
                f"{rules.min_silhouette:.2f})."
            ),
        )
    return _described(scope, rules, people, items, texts, choices, layout)


def _workshop_choices(workshop):
    """{(participant id, contribution id): choice} of the workshop's visible posts, authors'
    own votes left out, and {contribution id: the text others see}."""
    rows = _votes_in(workshop.series, workshop).values_list(
        "participant_id", "contribution_id", "choice"
    )
    choices = {(person, post): choice for person, post, choice in rows}
    posts = Contribution.objects.filter(pk__in={post for _, post in choices})
    return choices, {post.pk: post.public_text for post in posts}


def _theme_choices(series):
    themes = list(series.themes.prefetch_related("contributions"))
    for theme in themes:
        theme.members = [
            c for c in theme.contributions.all() if c.state == Contribution.State.VISIBLE
        ]
    latest = latest_theme_votes(themes)
    choices = {(person, theme): choice for (theme, person), (_, choice, _) in latest.items()}
    return choices, {theme.pk: theme.title for theme in themes}


def _matrix(choices, min_votes):
    """(people, items, matrix): a row per person with at least `min_votes` votes, a column
    per item any of them voted on; an empty cell takes its column's mean."""
    votes_of = Counter(person for person, _ in choices)
    people = sorted(person for person, n in votes_of.items() if n >= min_votes)
    rows = {person: i for i, person in enumerate(people)}
    items = sorted({item for person, item in choices if person in rows})
    columns = {item: j for j, item in enumerate(items)}
    matrix = np.full((len(people), len(items)), np.nan)
    for (person, item), choice in choices.items():
        if person in rows:
            matrix[rows[person], columns[item]] = SCORE[choice]
    if matrix.size:
        means = np.nanmean(matrix, axis=0)
        empty = np.isnan(matrix)
        matrix[empty] = np.take(means, np.nonzero(empty)[1])
    return people, items, matrix


def place(matrix):
    """PCA to two dimensions, then the k-means clustering with the best silhouette."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA
    from sklearn.metrics import silhouette_score

    components = min(2, *matrix.shape)
    coordinates = PCA(n_components=components, random_state=SEED).fit_transform(matrix)
    if components < 2:
        coordinates = np.column_stack([coordinates, np.zeros((len(matrix), 2 - components))])
    best = None
    for k in KS:
        if k >= len(matrix) or len(np.unique(coordinates, axis=0)) <= k:
            break
        labels = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(coordinates)
        score = silhouette_score(coordinates, labels)
        if best is None or score > best[0]:
            best = (score, labels)
    if best is None:
        return Layout(coordinates, np.zeros(len(matrix), dtype=int), 0.0)
    score, labels = best
    # Name clusters by size, largest first (ties by position), so A is always the largest.
    order = sorted(
        set(labels), key=lambda c: (-(labels == c).sum(), coordinates[labels == c, 0].mean())
    )
    renumbered = np.array([order.index(label) for label in labels])
    return Layout(coordinates, renumbered, float(score))


def _described(scope, rules, people_ids, items, texts, choices, layout):
    participants = Participant.objects.select_related("group").in_bulk(people_ids)
    span = np.ptp(layout.coordinates, axis=0)
    span[span == 0] = 1
    corner = layout.coordinates.min(axis=0)
    people = [
        Person(
            pk=pk,
            group=participants[pk].group,
            x=float((layout.coordinates[i, 0] - corner[0]) / span[0]),
            y=float((layout.coordinates[i, 1] - corner[1]) / span[1]),
            cluster=CLUSTER_NAMES[layout.labels[i]],
        )
        for i, pk in enumerate(people_ids)
    ]
    clusters = [
        Cluster(name, [p for p in people if p.cluster == name], {})
        for name in CLUSTER_NAMES[: layout.labels.max() + 1]
    ]
    for cluster in clusters:
        cluster.by_group = dict(Counter(p.group.slug for p in cluster.people))
    _attach_distinctive(clusters, people, items, texts, choices)
    groups = sorted({p.group for p in people}, key=lambda g: (g.order, g.pk))
    sizes = dict(Counter(p.group.slug for p in people))
    found = OpinionMap(
        scope,
        people=people,
        clusters=clusters,
        groups=groups,
        group_sizes=sizes,
        silhouette=layout.silhouette,
        small_number=settings.REPORT_SMALL_NUMBER,
    )
    declared = [g for g in groups if g.slug != OTHER and sizes[g.slug] >= rules.min_group_people]
    found.splits = _splits(found, declared, rules)
    found.alliances = _alliances(found, declared, rules)
    return found


def _attach_distinctive(clusters, people, items, texts, choices):
    """Each cluster's items that most set it apart from everyone else (Polis repness)."""
    cluster_of = {p.pk: p.cluster for p in people}
    counts = defaultdict(lambda: defaultdict(Counter))
    for (person, item), choice in choices.items():
        if person in cluster_of:
            counts[item][cluster_of[person]][choice] += 1
    tallies = {
        item: {
            name: Tally(c[Vote.Choice.AGREE], c[Vote.Choice.DISAGREE], c[Vote.Choice.PASS])
            for name, c in by_cluster.items()
        }
        for item, by_cluster in counts.items()
    }
    for cluster in clusters:
        ranked = sorted(
            (
                (distinguish(cluster.name, by_cluster), item)
                for item, by_cluster in tallies.items()
                if cluster.name in by_cluster
            ),
            key=lambda pair: (-pair[0].z, pair[1]),
        )
        cluster.distinctive = [(texts[item], d) for d, item in ranked[:DISTINCTIVE_ITEMS]]


def _splits(found, declared, rules):
    splits = []
    for group in declared:
        counts = sorted(
            ((c.name, c.by_group[group.slug]) for c in found.clusters if group.slug in c.by_group),
            key=lambda pair: (-pair[1], pair[0]),
        )
        total = found.group_sizes[group.slug]
        if 1 - counts[0][1] / total >= rules.split_share:
            splits.append(Split(group, counts, found.shown(group.slug)))
    return splits


def _alliances(found, declared, rules):
    alliances = []
    for cluster in found.clusters:
        members = [
            (group, cluster.by_group.get(group.slug, 0), found.group_sizes[group.slug])
            for group in declared
        ]
        held = [m for m in members if m[1] / m[2] >= rules.alliance_share]
        if len(held) >= 2:
            held.sort(key=lambda m: (-m[1] / m[2], m[0].order))
            shown = {group.slug: found.shown(group.slug) for group, _, _ in held}
            alliances.append(Alliance(cluster, held, shown))
    return alliances
