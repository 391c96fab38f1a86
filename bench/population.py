"""People, posts and votes for the benchmarks that need a large series (report.py,
synthesis.py): who turns up, what they write and how each group leans. Callers pass a
seeded random.Random, so every run builds the same series."""

import uuid

BATCH = 5000  # rows per bulk_create: big enough to be quick, small enough for memory
# Parent carers turn up in numbers, young people and "other" less so.
GROUP_WEIGHTS = {
    "pcf": 30,
    "education": 20,
    "health": 15,
    "local_government": 15,
    "young_person": 12,
    "other": 8,
}
# How the groups lean on a post, as (share of posts, each group's agree rate): together they
# give every class rather than thousands of copies of one.
LEANS = {
    "agreed": (35, lambda rng: rng.uniform(0.8, 0.95)),
    "rejected": (10, lambda rng: rng.uniform(0.05, 0.2)),
    "opposed": (15, lambda rng: rng.choice((0.1, 0.9))),
    "divergent": (15, lambda rng: rng.uniform(0.3, 0.95)),
    "lukewarm": (25, lambda rng: rng.uniform(0.4, 0.6)),
}
PASS_SHARES = (0.05, 0.1, 0.15, 0.4)  # 0.4 makes a post "uncertain: many passes"
OPENINGS = [
    "Families wait far too long for an assessment",
    "Schools need training and time before the new plans start",
    "Health and education should share one plan for each child",
    "Young people want a say in their own reviews",
    "Transport to a special school is a daily struggle",
    "Mainstream schools could include more children with the right support",
    "The tribunal route is stressful and costly for parents",
    "Council officers are stretched across too many cases",
    "Speech and language therapy is the service we wait longest for",
    "Parents should not have to fight for every hour of support",
]
DETAILS = [
    "Nobody tells you what happens next, and the letters are full of jargon.",
    "The money should follow the child, not the setting they happen to be in.",
    "A named contact who answers the phone would make a real difference.",
    "It only works if the funding is there for the whole year, not one term at a time.",
    "It is worse in rural areas, where there are fewer services and longer journeys.",
    "Please publish the waiting times for every area so families know where they stand.",
    "Our forum has heard the same story from dozens of families this year alone.",
    "Staff turnover means we explain our child's needs again every September.",
    "Early help before a crisis would save money as well as heartache.",
    "Young people said they want to be asked directly, not through their parents.",
]


def make_participants(workshops, total, rng):
    """{workshop id: [participant]}, the total shared out evenly between the workshops."""
    from django.utils import timezone

    from participants.models import Participant, StakeholderGroup

    groups = list(StakeholderGroup.objects.filter(slug__in=GROUP_WEIGHTS))
    weights = [GROUP_WEIGHTS[group.slug] for group in groups]
    people = {}
    for n, workshop in enumerate(workshops):
        count = total // len(workshops) + (n < total % len(workshops))
        people[workshop.pk] = Participant.objects.bulk_create(
            Participant(
                workshop=workshop,
                group=rng.choices(groups, weights)[0],
                consented_at=timezone.now(),
            )
            for _ in range(count)
        )
    return people


def post_text(rng):
    """A phone-sized post: an opening and one to three sentences, now and then a long one."""
    sentences = rng.sample(DETAILS, rng.choice((1, 1, 2, 2, 3)))
    if rng.random() < 0.03:
        sentences = rng.sample(DETAILS, 8)  # some 700-900 characters
    return " ".join([f"{rng.choice(OPENINGS)}.", *sentences])


def new_post(workshop, people, prompts, rng, **fields):
    """An unsaved contribution to one of `prompts[workshop.pk]` by one of its people."""
    from participants.models import Contribution

    return Contribution(
        workshop=workshop,
        participant=rng.choice(people[workshop.pk]),
        prompt=rng.choice(prompts[workshop.pk]),
        text=post_text(rng),
        client_id=uuid.UUID(int=rng.getrandbits(128)),
        **fields,
    )


def votes_by(voters, post, rng):
    """Unsaved votes on `post`, one by each of `voters`, leaning one of the LEANS ways."""
    from participants.models import Vote

    _, agree_rate = LEANS[rng.choices(list(LEANS), [share for share, _ in LEANS.values()])[0]]
    rates = {slug: agree_rate(rng) for slug in GROUP_WEIGHTS}
    passes = rng.choice(PASS_SHARES)
    for voter in voters:
        if rng.random() < passes:
            choice = Vote.Choice.PASS
        elif rng.random() < rates[voter.group.slug]:
            choice = Vote.Choice.AGREE
        else:
            choice = Vote.Choice.DISAGREE
        yield Vote(participant=voter, contribution=post, choice=choice)


def save_themes(links):
    """Save [(unsaved Theme, [contribution, ...]), ...]: the themes, then their members."""
    from synthesis.models import Theme

    Theme.objects.bulk_create([theme for theme, _ in links])
    Theme.contributions.through.objects.bulk_create(
        Theme.contributions.through(theme_id=theme.pk, contribution_id=post.pk)
        for theme, members in links
        for post in members
    )
