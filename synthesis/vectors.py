"""Posts' embeddings, kept with the posts, and the posts nearest in meaning to one another.

A vector is made from the words others see (masked personal data stays masked) and remade
when those words change: after an edit, a merge or a release (the participants app's
events, see synthesis.apps), or whenever a refresh finds its digest out of date.
"""

import hashlib

import numpy as np
from django.core.cache import cache

from participants.models import Contribution
from synthesis import embeddings
from synthesis.models import Embedding

SIMILAR = 5  # nearest posts shown for each post
PROGRESS = "embedding-progress:{}"  # how far a series' refresh has got
PENDING = "embedding-pending:{}"  # a workshop's refresh is already on its way
# A live room's new posts are embedded together, this many seconds after the first: one
# batch instead of a pass of the model per post while the room is busy.
GATHER_SECONDS = 15


def refresh_soon(workshop_id, task):
    """Queue `task` (synthesis.tasks.embed_workshop) for the workshop, unless one is queued."""
    if cache.add(PENDING.format(workshop_id), True, timeout=GATHER_SECONDS * 4):
        task.apply_async((workshop_id,), countdown=GATHER_SECONDS)


def workshop_refreshed(workshop_id):
    """The queued refresh has started: words changed from now on need another."""
    cache.delete(PENDING.format(workshop_id))


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def stale(contributions):
    """The visible posts among `contributions` whose vector is missing or out of date."""
    posts = (
        contributions.filter(state=Contribution.State.VISIBLE)
        .select_related("embedding")
        .defer("embedding__vector")  # the digest says whether it is stale
    )
    return [
        post
        for post in posts
        if not hasattr(post, "embedding") or post.embedding.text_digest != digest(post.public_text)
    ]


def refresh(contributions, *, batch=256, progress=None, threads=None):
    """Make the missing and out-of-date vectors of `contributions` (a queryset of posts),
    `batch` posts at a time on `threads` cores (all unless given); `progress(done, total)`
    after each. Returns how many."""
    posts = stale(contributions)
    for start in range(0, len(posts), batch):
        chunk = posts[start : start + batch]
        texts = [post.public_text for post in chunk]
        vectors = embeddings.embed(texts, threads)
        Embedding.objects.bulk_create(
            [
                Embedding(contribution=post, vector=vector.tobytes(), text_digest=digest(text))
                for post, text, vector in zip(chunk, texts, vectors, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["contribution"],
            update_fields=["vector", "text_digest", "updated"],
        )
        if progress:
            progress(min(start + batch, len(posts)), len(posts))
    return len(posts)


def matrix_of(contributions):
    """(post numbers, their vectors as the rows of a matrix) of the visible posts among
    `contributions` that have a vector, by post number."""
    rows = list(
        Embedding.objects.filter(
            contribution__in=contributions.filter(state=Contribution.State.VISIBLE)
        )
        .order_by("contribution_id")
        .values_list("contribution_id", "vector")
    )
    matrix = np.frombuffer(b"".join(vector for _, vector in rows), dtype=np.float32)
    return [pk for pk, _ in rows], matrix.reshape(len(rows), embeddings.DIMENSIONS)


def nearest(contribution, among, *, count=SIMILAR):
    """[(post, similarity from 0 to 1)] of the visible posts in `among` (a queryset) nearest
    in meaning to `contribution`, most similar first; empty until it has a vector."""
    own = Embedding.objects.filter(contribution=contribution).first()
    if own is None:
        return []
    ids, matrix = matrix_of(among.exclude(pk=contribution.pk))
    scores = matrix @ np.frombuffer(own.vector, dtype=np.float32)
    best = np.argsort(-scores)[:count]
    posts = Contribution.objects.select_related("participant__group", "workshop").in_bulk(
        [ids[i] for i in best]
    )
    return [(posts[ids[i]], max(0.0, float(scores[i]))) for i in best]


def record_progress(series_id, done, total):
    """Note how far a series' refresh has got; (None, None) when it has finished."""
    key = PROGRESS.format(series_id)
    if done is None:
        cache.delete(key)
    else:
        cache.set(key, (done, total), timeout=3600)


def progress(series):
    """(posts done, posts to do) while a refresh of the series runs, else None."""
    return cache.get(PROGRESS.format(series.pk))


def counts(series):
    """(posts with an up-to-date vector, visible posts) of the series."""
    posts = Contribution.objects.filter(workshop__series=series)
    visible = posts.filter(state=Contribution.State.VISIBLE).count()
    return visible - len(stale(posts)), visible
