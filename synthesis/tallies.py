"""Each post's votes counted per group, kept in step with the votes in the same transaction.

The participants app sends `vote_recorded` when a vote is cast or changed, and
`votes_rewritten` when votes are written in bulk (merged, erased, loaded); both are sent
inside the transaction that wrote the votes, so the counts commit or roll back with them.
A post deleted (withdrawn, purged) takes its counts with it; a hidden post keeps them, and
readers choose which posts they show. The author's own vote never counts.
"""

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Q

from participants.models import Contribution, Vote
from synthesis.models import GroupTally
from synthesis.stats import tally_of

CHOICE_FIELD = {
    Vote.Choice.AGREE: "agree",
    Vote.Choice.DISAGREE: "disagree",
    Vote.Choice.PASS: "passes",
}
FIELDS = ("agree", "disagree", "passes")
# Ids per query when rewriting many posts' counts: well inside every database's limit.
CHUNK = 1000


def count_vote(*, contribution_id, group_id, before, after, **event):
    """One person's vote moved from `before` (None for a first vote) to `after`: a single
    statement adds the change, so votes cast at the same moment each count once."""
    change = dict.fromkeys(FIELDS, 0)
    if before:
        change[CHOICE_FIELD[before]] -= 1
    change[CHOICE_FIELD[after]] += 1
    if not any(change.values()):
        return
    table = connection.ops.quote_name(GroupTally._meta.db_table)
    added = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (contribution_id, group_id, {', '.join(FIELDS)}) "
            f"VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (contribution_id, group_id) DO UPDATE SET {added}",
            [contribution_id, group_id, *change.values()],
        )


def counted_from_votes(contributions, group_key="id"):
    """{(contribution id, group's id or other `group_key`): Tally} counted afresh from the
    votes on `contributions` (a queryset or ids), leaving out each author's vote on their own
    post."""
    rows = (
        Vote.objects.filter(contribution__in=contributions)
        .exclude(participant=F("contribution__participant"))
        .values_list("contribution_id", f"participant__group__{group_key}")
        .annotate(
            **{
                field: Count("pk", filter=Q(choice=choice))
                for choice, field in CHOICE_FIELD.items()
            }
        )
        .order_by()
    )
    return {(post, group): tally_of(*counts) for post, group, *counts in rows}


def stored(contributions, group_key="id"):
    """{(contribution id, group's id or other `group_key`): Tally} as kept for
    `contributions` (a queryset or ids)."""
    return {
        (post, group): tally_of(*counts) for post, group, *counts in _kept(contributions, group_key)
    }


def stored_by_post(contributions, groups):
    """{contribution id: {group slug: Tally}} as kept for `contributions`: what the board
    and results read, in one pass over the rows. The groups (every StakeholderGroup) are a
    handful: named from their ids here rather than joined to every row."""
    slugs = {group.pk: group.slug for group in groups}
    tallies = defaultdict(dict)
    for post, group, *counts in _kept(contributions, "id"):
        tallies[post][slugs[group]] = tally_of(*counts)
    return dict(tallies)


def _kept(contributions, group_key):
    return GroupTally.objects.filter(contribution__in=contributions).values_list(
        "contribution_id", f"group__{group_key}", *FIELDS
    )


def by_post(counts):
    """{contribution id: {group: Tally}} from counts keyed by (contribution id, group)."""
    tallies = defaultdict(dict)
    for (post, group), tally in counts.items():
        tallies[post][group] = tally
    return dict(tallies)


@transaction.atomic
def recount(contributions):
    """Make the kept counts of `contributions` (a queryset or ids) what their votes say.

    Returns the (contribution id, group id) pairs whose kept count was wrong or missing. The
    posts and their votes are locked first (where the database can), so a vote cast while
    they are counted waits and is then added to the right count.
    """
    # Every post, withdrawn ones too: their counts stand until the post is deleted.
    posts = Contribution._base_manager
    ids = list(posts.filter(pk__in=contributions).values_list("pk", flat=True))
    wrong = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        list(posts.filter(pk__in=chunk).select_for_update().values_list("pk"))
        list(Vote.objects.filter(contribution__in=chunk).select_for_update().values_list("pk"))
        kept, counted = stored(chunk), counted_from_votes(chunk)
        differ = {key for key in kept.keys() | counted.keys() if kept.get(key) != counted.get(key)}
        redone = {post for post, _ in differ}
        GroupTally.objects.filter(contribution__in=redone).delete()
        GroupTally.objects.bulk_create(
            GroupTally(contribution_id=post, group_id=group, **vars(tally))
            for (post, group), tally in counted.items()
            if post in redone
        )
        wrong |= differ
    return wrong


def repair(workshops):
    """Recount every post of `workshops` from its votes; returns {workshop: number of kept
    counts that were wrong}, for the workshops that had any. One transaction per workshop,
    so a long repair never holds the whole database."""
    drift = {}
    for workshop in workshops:
        with transaction.atomic():
            wrong = recount(Contribution._base_manager.filter(workshop=workshop))
        if wrong:
            drift[workshop] = len(wrong)
    return drift
