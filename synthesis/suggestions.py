"""Suggested themes: posts across a series' workshops and recommendations that mean the same.

Posts are grouped by the meaning of their words (synthesis.vectors): average-linkage
clustering on cosine distance, cut where posts stop being alike. A group is suggested when
it has two posts or more from different workshops or on different recommendations (alike
posts of one workshop on one question are duplicates, for the facilitator to merge). Its
proposed title is its most central post. Nothing becomes a theme without an analyst: they
accept a suggestion (editing its title and posts first if they like) on the themes page, or
dismiss it; a suggestion sharing at least half its posts with one dismissed, or with a theme
already made, is not shown again.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.text import Truncator

from participants.models import Contribution
from synthesis import vectors
from synthesis.models import DismissedSuggestion, Embedding, recommendations_of

TITLE_LENGTH = 120


@dataclass
class Suggestion:
    title: str
    posts: list  # Contribution, the most central first

    @property
    def contribution_ids(self):
        return [post.pk for post in self.posts]

    @property
    def workshops(self):
        return sorted({post.workshop.title for post in self.posts})

    @property
    def regions(self):
        return sorted({post.workshop.region for post in self.posts if post.workshop.region})

    @property
    def recommendations(self):
        return recommendations_of(self.posts)


def suggested_themes(series):
    """The series' suggestions not yet turned into a theme nor dismissed, largest first."""
    groups = _groups(series)
    posts = Contribution.objects.select_related(
        "workshop", "prompt__recommendation", "participant__group"
    ).in_bulk([pk for group in groups for pk in group])
    taken = [
        set(ids)
        for ids in DismissedSuggestion.objects.filter(series=series).values_list(
            "contribution_ids", flat=True
        )
    ]
    taken += [
        {post.pk for post in theme.contributions.all()}
        for theme in series.themes.prefetch_related("contributions")
    ]
    suggestions = []
    for group in groups:
        members = [posts[pk] for pk in group]
        ids = set(group)
        if not _spread(members) or any(len(ids & other) * 2 >= len(ids) for other in taken):
            continue
        title = Truncator(members[0].public_text).chars(TITLE_LENGTH)
        suggestions.append(Suggestion(title, members))
    return sorted(suggestions, key=lambda s: (-len(s.posts), s.posts[0].pk))


def _groups(series):
    """The series' groups of alike posts, as post numbers, the most central post first; kept
    until a vector changes (grouping 5,000 posts takes seconds)."""
    visible = Contribution.objects.filter(workshop__series=series)
    fingerprint = Embedding.objects.filter(
        contribution__in=visible.filter(state=Contribution.State.VISIBLE)
    ).aggregate(n=Count("pk"), last=Max("updated"))
    key = (
        "theme-suggestions:"
        + hashlib.sha256(
            repr((series.pk, fingerprint, settings.THEME_SUGGESTION_SIMILARITY)).encode()
        ).hexdigest()
    )
    groups = cache.get(key)
    if groups is None:
        ids, matrix = vectors.matrix_of(visible)
        groups = []
        for rows in clusters(matrix):
            centre = matrix[rows].mean(axis=0)
            groups.append([ids[i] for i in sorted(rows, key=lambda i: -float(matrix[i] @ centre))])
        cache.set(key, groups, timeout=None)
    return groups


def clusters(matrix):
    """Lists of row numbers of `matrix` (unit vectors) whose meanings are alike."""
    if len(matrix) < 2:
        return []
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=1 - settings.THEME_SUGGESTION_SIMILARITY,
    ).fit_predict(matrix)
    groups = {}
    for row, label in enumerate(labels):
        groups.setdefault(label, []).append(row)
    return [rows for rows in groups.values() if len(rows) > 1]


def _spread(posts):
    posts = list(posts)
    workshops = {post.workshop_id for post in posts}
    questions = {post.prompt.recommendation_id for post in posts}
    return len(workshops) > 1 or len(questions) > 1


def similar_by_post(series, count):
    """{post number: [the `count` post numbers nearest in meaning, most similar first]} for
    every visible post of the series with a vector."""
    ids, matrix = vectors.matrix_of(Contribution.objects.filter(workshop__series=series))
    if not ids:
        return {}
    similarity = matrix @ matrix.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argsort(-similarity, axis=1)[:, : min(count, len(ids) - 1)]
    return {pk: [ids[j] for j in row] for pk, row in zip(ids, nearest, strict=True)}
