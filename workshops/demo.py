"""Demo data: a series of three SEND reform workshops whose votes tell the addendum's story.

The Isos addendum for the LGA (see /work/shared/content/send-reform.md) found seven points
of common ground and three points of debate. The votes below are written so that the
synthesis, pooled across the series, finds the same: a demo that disagrees with its own
source would teach the wrong lesson.

Loading is idempotent: every row has a natural key (a title, a display name and table, a
uuid5 client id), so a second run updates rows in place instead of adding to them.

Model imports live inside the functions so that `python -c "from workshops import demo;
print(demo.JOIN_CODE)"` works from a Makefile without setting Django up.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from workshops.models import Series, Workshop

URL = "http://127.0.0.1:8000/"
FACILITATOR_USERNAME = "facilitator"
FACILITATOR_PASSWORD = "facilitator-demo"
ANALYST_USERNAME = "analyst"
ANALYST_PASSWORD = "analyst-demo"
JOIN_CODE = "SEND25"

SERIES_NAME = "SEND reform workshops 2024–25"
ORGANISATION = "Local Government Association (demo)"
SERIES_DESCRIPTION = (
    "Demo data: regional and national co-production workshops on the next stage of SEND "
    "reform, with parent carer forums, education, health, local government and young people."
)
FRAMEWORK_SLUG = "send-reform"

# The prompts the facilitator has open in the live workshop.
LIVE_OPEN_RECOMMENDATIONS = (1, 3, 4)

# Keys of the addendum's headline statements; a statement may be posted in several workshops.
COMMON_GROUND_STATEMENTS = (
    "toll",
    "together",
    "vision",
    "early-years",
    "workforce",
    "core-offer",
    "joint-working",
)
SEQUENCING_STATEMENT = "sequencing"
OTHER_DEBATE_STATEMENTS = ("pillar-2-needed", "broken")

SEED = 20250204
# Fixed, so client ids (and so the rows they key) are the same on every run and machine.
CLIENT_ID_NAMESPACE = uuid.UUID("5d1c6a0e-2b7f-4c43-9a57-3f0d8e6b1c25")

LONDON = ZoneInfo("Europe/London")

# Vote patterns for one group's voters on one post: one letter per voter, and voters beyond
# the pattern do not vote (no group has more than four in a workshop). The voters are
# shuffled first, so who passes or dissents varies. A = agree, D = disagree, P = pass;
# X is a pass or a disagree, Y a pass or an agree (drawn from the seeded generator).
AGREE = "AAAX"
LEAN_AGREE = "AAPD"
SPLIT = "ADAD"
LEAN_DISAGREE = "DDPA"
DISAGREE = "DDDY"
FEW = "A"  # posted late: one person in the group got round to it
NONE = ""

GROUPS = ("pcf", "education", "health", "local_government", "young_person", "other")


def votes(default, **by_group):
    """A vote pattern for every group: `default`, except where a group is named."""
    unknown = set(by_group) - set(GROUPS)
    if unknown:
        raise ValueError(f"unknown groups: {sorted(unknown)}")
    return {group: by_group.get(group, default) for group in GROUPS}


@dataclass(frozen=True)
class WorkshopSpec:
    key: str
    title: str
    kind: str
    region: str
    venue: str
    starts_at: datetime
    # Display names per group, in joining order; "" is someone who gave no name.
    roster: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Post:
    workshop: str
    key: str  # a headline statement's key, or a key of its own
    author: tuple[str, int]  # (group, index in that group's roster)
    recommendation: int
    text: str
    votes: dict[str, str]
    hidden: bool = False


WORKSHOPS = (
    WorkshopSpec(
        key="north-west",
        title="North West regional workshop",
        kind="regional",
        region="North West",
        venue="Friends Meeting House, Manchester",
        starts_at=datetime(2024, 11, 19, 10, 0, tzinfo=LONDON),
        roster={
            "pcf": ("Sarah", "Joanne", "", "Imran"),
            "education": ("Claire", "Tom", "Bernadette", ""),
            "health": ("Priya", "Gareth", ""),
            "local_government": ("Mark", "Farah", "", "Lesley"),
            "young_person": ("Jayden", "", "Ellie"),
            "other": ("Ruth",),
        },
    ),
    WorkshopSpec(
        key="south-west",
        title="South West regional workshop",
        kind="regional",
        region="South West",
        venue="Watershed, Bristol",
        starts_at=datetime(2024, 12, 10, 10, 0, tzinfo=LONDON),
        roster={
            "pcf": ("Kerry", "Becky", "Dan", ""),
            "education": ("Nicola", "", "Ade", "Sian"),
            "health": ("Rachel", "", "Owen"),
            "local_government": ("Steve", "Kate", "Graham", ""),
            "young_person": ("Maisie", "Kai", ""),
            "other": ("",),
        },
    ),
    WorkshopSpec(
        key="national",
        title="National workshop",
        kind="national",
        region="National",
        venue="Local Government House, London",
        starts_at=datetime(2025, 2, 4, 10, 0, tzinfo=LONDON),
        roster={
            "pcf": ("Amanda", "", "Louise", "Shaz"),
            "education": ("Jon", "Fiona", "", "Marcus"),
            "health": ("Deepa", "Siobhan", ""),
            "local_government": ("Paul", "", "Yasmin", "Richard"),
            "young_person": ("Alfie", "Zara", ""),
            "other": ("Chris",),
        },
    ),
)
LIVE_WORKSHOP = "national"

POSTS = (
    # --- Common ground: the system takes a heavy toll and works for no one.
    Post(
        workshop="north-west",
        key="toll",
        author=("pcf", 0),
        recommendation=1,
        text=(
            "I've spent three years fighting for my son's plan. I'm exhausted, his teachers are "
            "exhausted, and the council officers look exhausted too. This system doesn't work for "
            "anyone in it."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="south-west",
        key="toll",
        author=("young_person", 0),
        recommendation=1,
        text=(
            "By the time I got help I'd missed most of Year 8. Everyone kept saying they were "
            "waiting on someone else. It wears you down, and it wore my mum down more."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="national",
        key="toll",
        author=("education", 1),
        recommendation=4,
        text=(
            "As a SENCO I spend more time on paperwork and tribunal bundles than with children. "
            "Families are at breaking point and so are my staff. Nobody is well served by how it "
            "works now."
        ),
        votes=votes(AGREE, other=SPLIT),
    ),
    # --- Common ground: meeting without blame was valuable in itself.
    Post(
        workshop="north-west",
        key="together",
        author=("local_government", 3),
        recommendation=6,
        text=(
            "Honestly the most useful thing today has been sitting at a table with parents and "
            "health colleagues without anyone pointing fingers. We should do this every term, not "
            "once."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="national",
        key="together",
        author=("health", 1),
        recommendation=6,
        text=(
            "Having the parent carer forum, heads, health and the council in one room, with "
            "nobody blaming anybody, is rare. That alone made today worth it."
        ),
        votes=votes(AGREE, young_person=FEW),
    ),
    # --- Common ground: a national vision is a first step.
    Post(
        workshop="south-west",
        key="vision",
        author=("education", 0),
        recommendation=1,
        text=(
            "We need a clear national statement of what inclusive practice looks like, so every "
            "school is held to the same expectations. Right now it depends which head you get."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="national",
        key="vision",
        author=("local_government", 0),
        recommendation=1,
        text=(
            "A national vision won't fix things on its own, but it's the right first step. "
            "Councils, schools and health need to be working to the same picture of what good "
            "looks like."
        ),
        votes=votes(AGREE),
    ),
    # --- Common ground: the early years are foundational.
    Post(
        workshop="north-west",
        key="early-years",
        author=("health", 0),
        recommendation=3,
        text=(
            "The early years are where it starts. If health visitors and nurseries can spot needs "
            "at two, we save years of struggle later. That needs proper money, not pilots."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="south-west",
        key="early-years",
        author=("education", 2),
        recommendation=3,
        text=(
            "I run a nursery. We see needs early but wait months for anyone to come out. Invest "
            "in the early years and everything after gets easier."
        ),
        votes=votes(AGREE, other=NONE),
    ),
    Post(
        workshop="national",
        key="early-years",
        author=("pcf", 2),
        recommendation=1,
        text=(
            "Our daughter's needs were obvious at eighteen months and nothing happened until "
            "school. Put the money into the early years and families won't have to fight later."
        ),
        votes=votes(AGREE),
    ),
    # --- Common ground: workforce planning is key.
    Post(
        workshop="north-west",
        key="workforce",
        author=("education", 1),
        recommendation=3,
        text=(
            "You can't have inclusive mainstream schools without the people. We need a real plan "
            "for training and keeping SENCOs, TAs, speech therapists and ed psychs."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="south-west",
        key="workforce",
        author=("health", 2),
        recommendation=3,
        text=(
            "There aren't enough speech and language therapists, full stop. Any reform that "
            "doesn't start with workforce planning is just moving the waiting list around."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="national",
        key="workforce",
        author=("local_government", 2),
        recommendation=3,
        text=(
            "We have one educational psychologist for thousands of children. The workforce has to "
            "be planned nationally and grown locally, or none of the rest happens."
        ),
        votes=votes(AGREE),
    ),
    # --- Common ground: support should not depend on a statutory plan.
    Post(
        workshop="north-west",
        key="core-offer",
        author=("pcf", 3),
        recommendation=3,
        text=(
            "Help shouldn't depend on having an EHCP. If every school had a proper core offer "
            "that families could rely on, far fewer of us would need the statutory route."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="south-west",
        key="core-offer",
        author=("local_government", 1),
        recommendation=3,
        text=(
            "We need a core offer with teeth: targeted support schools can draw on straight away, "
            "without waiting for a plan. It has to be something families can hold us to."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="national",
        key="core-offer",
        author=("education", 3),
        recommendation=3,
        text=(
            "Support should follow need, not paperwork. A strong core offer, written down and "
            "guaranteed, so children get help long before anyone talks about a plan."
        ),
        votes=votes(AGREE),
    ),
    # --- Common ground: barriers between education and health must come down.
    Post(
        workshop="north-west",
        key="joint-working",
        author=("health", 1),
        recommendation=6,
        text=(
            "Schools and health still work in separate worlds: different systems, different "
            "thresholds, different waiting lists. Those barriers have to come down."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="south-west",
        key="joint-working",
        author=("education", 3),
        recommendation=6,
        text=(
            "I can never get the paediatrician and the school into the same conversation. Joint "
            "working between education and health should be expected, not a favour."
        ),
        votes=votes(AGREE),
    ),
    Post(
        workshop="national",
        key="joint-working",
        author=("pcf", 3),
        recommendation=6,
        text=(
            "As a parent I'm the only link between school and the hospital. It shouldn't be my "
            "job to pass messages between them."
        ),
        votes=votes(AGREE),
    ),
    # --- Debate: sequencing. PCF leaders want capacity first; others say it needs the law.
    Post(
        workshop="north-west",
        key="sequencing",
        author=("pcf", 1),
        recommendation=4,
        text=(
            "Don't touch the law until the support is there. Rebuild capacity in schools and "
            "services first, then talk about changing the legal framework. Otherwise families "
            "just lose the one protection they have."
        ),
        votes=votes(DISAGREE, pcf=AGREE, young_person=LEAN_AGREE, other=SPLIT),
    ),
    Post(
        workshop="national",
        key="sequencing",
        author=("pcf", 0),
        recommendation=4,
        text=(
            "Pillar 1 first. Parents won't trust any change to EHCPs or tribunal rights until we "
            "can see mainstream support actually getting better."
        ),
        votes=votes(DISAGREE, pcf=AGREE, young_person=SPLIT, other=SPLIT),
    ),
    # --- Debate: is Pillar 2 reform needed at all if Pillar 1 is strengthened?
    Post(
        workshop="south-west",
        key="pillar-2-needed",
        author=("pcf", 1),
        recommendation=4,
        text=(
            "If Pillar 1 really worked, would we need to change the law at all? The law isn't "
            "what's failing my son, the lack of support is."
        ),
        votes=votes(SPLIT, pcf=AGREE, health=LEAN_AGREE, local_government=LEAN_DISAGREE),
    ),
    Post(
        workshop="national",
        key="pillar-2-needed",
        author=("education", 0),
        recommendation=4,
        text=(
            "Be honest: if schools had the staff and the specialist help, most families wouldn't "
            "need an EHCP. Strengthen Pillar 1 properly and we might not need Pillar 2 reform at "
            "all."
        ),
        votes=votes(SPLIT, pcf=AGREE, local_government=DISAGREE, young_person=LEAN_AGREE),
    ),
    # --- Debate: is "broken" a useful word?
    Post(
        workshop="north-west",
        key="broken",
        author=("local_government", 0),
        recommendation=1,
        text=(
            "I'd stop calling the system 'broken'. It's hard to hear for staff who are working "
            "flat out, and plenty of children do get good support. Let's name what needs fixing."
        ),
        votes=votes(
            SPLIT, local_government=AGREE, education=LEAN_AGREE, pcf=DISAGREE, young_person=DISAGREE
        ),
    ),
    Post(
        workshop="south-west",
        key="broken",
        author=("education", 1),
        recommendation=1,
        text=(
            "'Broken' makes a good headline, but it tells parents nothing works and tells staff "
            "to give up. It's under huge strain, which isn't the same thing."
        ),
        votes=votes(SPLIT, local_government=AGREE, pcf=DISAGREE, young_person=LEAN_DISAGREE),
    ),
    # --- Ordinary posts with lighter voting, so the board has some variety.
    Post(
        workshop="north-west",
        key="ordinarily-available",
        author=("education", 0),
        recommendation=2,
        text=(
            "A national description of what's 'ordinarily available' would help, as long as it's "
            "a floor and not a ceiling. At the moment every school reads it differently."
        ),
        votes=votes(LEAN_AGREE, pcf=AGREE, local_government=AGREE),
    ),
    Post(
        workshop="north-west",
        key="luck",
        author=("young_person", 2),
        recommendation=3,
        text=(
            "Some teachers get it and some don't. Whether you get help shouldn't come down to luck."
        ),
        votes=votes(AGREE, education=LEAN_AGREE, local_government=FEW, health=FEW),
    ),
    Post(
        workshop="south-west",
        key="next-steps",
        author=("young_person", 1),
        recommendation=5,
        text=(
            "Nobody talked to me about what happens after college until a month before I left. "
            "I'd want one person who knows me to help plan it from Year 9."
        ),
        votes=votes(NONE, pcf=FEW, young_person=FEW, education=FEW),
    ),
    Post(
        workshop="south-west",
        key="partnership-money",
        author=("health", 0),
        recommendation=6,
        text=(
            "Local inclusion partnerships will only work if health puts money in the pot too, not "
            "just a seat at the table."
        ),
        votes=votes(LEAN_AGREE, local_government=AGREE, health=SPLIT),
    ),
    Post(
        workshop="south-west",
        key="named-officer",
        author=("pcf", 0),
        recommendation=4,
        text=(
            "Diane in the SEN team ignored every email I sent for six months. She shouldn't be in "
            "that job."
        ),
        votes=votes(NONE),
        hidden=True,
    ),
    Post(
        workshop="national",
        key="independent-sector",
        author=("local_government", 3),
        recommendation=7,
        text=(
            "Independent special schools should meet the same standards and the same prices as "
            "everyone else. We can't keep paying double for places nobody has quality-checked."
        ),
        votes=votes(LEAN_AGREE, local_government=AGREE, pcf=SPLIT, young_person=NONE),
    ),
    Post(
        workshop="national",
        key="quicker-redress",
        author=("pcf", 1),
        recommendation=4,
        text=(
            "Any new way of settling disagreements has to be quicker than the Tribunal and truly "
            "independent of the council, or families won't trust it."
        ),
        votes=votes(LEAN_AGREE, pcf=AGREE, young_person=AGREE),
    ),
    Post(
        workshop="national",
        key="tell-teachers",
        author=("young_person", 0),
        recommendation=3,
        text="Teachers should know what helps me before I start, not after I've had a bad term.",
        votes=votes(NONE, young_person=FEW, pcf=FEW),
    ),
)


@dataclass
class Demo:
    """What the seed left in the database, for the command to report."""

    series: Series
    workshops: list[Workshop] = field(default_factory=list)
    participants: int = 0
    contributions: int = 0
    votes: int = 0

    @property
    def live_workshop(self):
        return next(w for w in self.workshops if w.is_live)


def client_id(workshop_key, post_key):
    return uuid.uuid5(CLIENT_ID_NAMESPACE, f"{workshop_key}/{post_key}")


def statement_contributions(key):
    """Every demo contribution that makes the headline statement `key`, in any workshop."""
    from participants.models import Contribution

    ids = [client_id(post.workshop, post.key) for post in POSTS if post.key == key]
    return Contribution.objects.filter(client_id__in=ids)


def seed(stdout=None):
    """Create or refresh the demo; returns a Demo summary. Safe to run again."""
    from django.db import transaction

    with transaction.atomic():
        _seed_users()
        series = _seed_series()
        summary = Demo(series=series)
        for spec in WORKSHOPS:
            workshop = _seed_workshop(series, spec)
            participants = _seed_participants(workshop, spec)
            posts = [post for post in POSTS if post.workshop == spec.key]
            contributions = _seed_contributions(workshop, spec, participants, posts)
            vote_count = _seed_votes(spec, participants, contributions, posts)
            summary.workshops.append(workshop)
            summary.participants += len(participants)
            summary.contributions += len(contributions)
            summary.votes += vote_count
            if stdout:
                stdout.write(
                    f"{workshop.title}: {len(participants)} participants, "
                    f"{len(contributions)} contributions, {vote_count} votes\n"
                )
    return summary


def closing_lines():
    """What to tell whoever ran the seed: where to go and how to get in."""
    return [
        f"Open {URL}",
        f"Facilitator login: {FACILITATOR_USERNAME} / {FACILITATOR_PASSWORD}",
        f"Analyst login: {ANALYST_USERNAME} / {ANALYST_PASSWORD}",
        f"Join code for the live workshop: {JOIN_CODE}",
    ]


def _seed_users():
    _seed_user(FACILITATOR_USERNAME, FACILITATOR_PASSWORD, "Facilitators")
    _seed_user(ANALYST_USERNAME, ANALYST_PASSWORD, "Analysts")


def _seed_user(username, password, role):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username=username)
    # Reset every run, so the printed logins always work, whatever was changed since.
    user.set_password(password)
    user.is_active = True
    user.save()
    user.groups.add(Group.objects.get(name=role))  # the role is loaded by a migration
    return user


def _seed_series():
    from pillars.models import Framework
    from workshops.models import Series

    framework = Framework.objects.get(slug=FRAMEWORK_SLUG)
    series, _ = Series.objects.update_or_create(
        name=SERIES_NAME,
        defaults={
            "framework": framework,
            "organisation": ORGANISATION,
            "description": SERIES_DESCRIPTION,
        },
    )
    return series


def _seed_workshop(series, spec):
    from workshops import services
    from workshops.models import Workshop

    details = {
        "kind": spec.kind,
        "region": spec.region,
        "venue": spec.venue,
        "starts_at": spec.starts_at,
        # So someone trying the demo sees their post arrive at once; the console turns
        # holding posts for approval back on.
        "premoderation": False,
    }
    workshop = Workshop.objects.filter(series=series, title=spec.title).first()
    if workshop is None:
        # The service creates the prompts, one per recommendation.
        workshop = services.workshop_create(series=series, title=spec.title, **details)
    else:
        Workshop.objects.filter(pk=workshop.pk).update(**details)
        _restore_prompts(workshop)
    if spec.key == LIVE_WORKSHOP:
        _make_live(workshop)
    else:
        services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    workshop.refresh_from_db()
    return workshop


def _make_live(workshop):
    from workshops import services
    from workshops.models import Workshop

    clash = Workshop.objects.filter(join_code=JOIN_CODE).exclude(pk=workshop.pk).first()
    if clash:
        raise ValueError(f"Join code {JOIN_CODE} is already used by '{clash}' (id {clash.pk}).")
    # join_code is not editable in forms; the demo needs one people can remember.
    Workshop.objects.filter(pk=workshop.pk).update(join_code=JOIN_CODE)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
    workshop.prompts.update(is_open=False)
    workshop.prompts.filter(recommendation__number__in=LIVE_OPEN_RECOMMENDATIONS).update(
        is_open=True
    )


class Seat(NamedTuple):
    group: str
    index: int  # position in the group's roster, as Post.author refers to it
    name: str
    table: int
    minutes_in: int  # when they joined, after the start


def _roster(spec):
    """Everyone in the workshop, in joining order.

    Tables are dealt round in joining order, so every table mixes groups, as in a
    co-production room.
    """
    people = [
        (group, index, name)
        for group, names in spec.roster.items()
        for index, name in enumerate(names)
    ]
    return [Seat(group, i, name, n % 5 + 1, n) for n, (group, i, name) in enumerate(people)]


def _seed_participants(workshop, spec):
    """{(group, index): Participant}, matched on (group, display name, table)."""
    from participants.models import Participant, StakeholderGroup

    group_ids = dict(StakeholderGroup.objects.values_list("slug", "pk"))
    wanted = {(group_ids[seat.group], seat.name, seat.table): seat for seat in _roster(spec)}
    existing = _participants_by_key(workshop)
    Participant.objects.bulk_create(
        Participant(
            workshop=workshop,
            group_id=group_id,
            display_name=seat.name,
            table_number=seat.table,
            consented_at=spec.starts_at + timedelta(minutes=seat.minutes_in),
        )
        for (group_id, _, _), seat in wanted.items()
        if (group_id, seat.name, seat.table) not in existing
    )
    existing = _participants_by_key(workshop)
    participants = {(seat.group, seat.index): existing[key] for key, seat in wanted.items()}
    _backdate(Participant, {p.pk: p.consented_at for p in participants.values()})
    return participants


def _participants_by_key(workshop):
    """{(group id, display name, table): Participant}; the oldest wins if live joiners
    happen to share a demo person's group, name and table."""
    return {
        (p.group_id, p.display_name, p.table_number): p
        for p in workshop.participants.order_by("-pk")
    }


def _seed_contributions(workshop, spec, participants, posts):
    """{post key: Contribution}, upserted on (participant, client id)."""
    from participants.models import Contribution

    prompts = _prompts_by_recommendation(workshop)
    rows = [
        Contribution(
            workshop=workshop,
            participant=participants[post.author],
            prompt=prompts[post.recommendation],
            text=post.text,
            client_id=client_id(spec.key, post.key),
            state=Contribution.State.HIDDEN if post.hidden else Contribution.State.VISIBLE,
        )
        for post in posts
    ]
    Contribution.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["participant", "client_id"],
        update_fields=["workshop", "prompt", "text", "state"],
    )
    saved = {
        c.client_id: c
        for c in Contribution.objects.filter(
            participant__in=[p.pk for p in participants.values()],
            client_id__in=[row.client_id for row in rows],
        )
    }
    contributions = {post.key: saved[client_id(spec.key, post.key)] for post in posts}
    # Spread over the morning, in the order they are listed, so the wall reads naturally.
    _backdate(
        Contribution,
        {
            c.pk: spec.starts_at + timedelta(minutes=30 + 4 * n)
            for n, c in enumerate(contributions.values())
        },
    )
    return contributions


def _restore_prompts(workshop):
    """Recreate any recommendation's prompt that a facilitator deleted since the last run."""
    from workshops.models import Prompt
    from workshops.services import default_question

    have = set(workshop.prompts.values_list("recommendation", flat=True))
    Prompt.objects.bulk_create(
        Prompt(
            workshop=workshop,
            recommendation=rec,
            question=default_question(rec),
            order=rec.number,
        )
        for rec in workshop.series.framework.recommendations()
        if rec.pk not in have
    )


def _prompts_by_recommendation(workshop):
    """{recommendation number: prompt}; the first prompt wins if a facilitator added more."""
    prompts = {}
    for prompt in workshop.prompts.select_related("recommendation").order_by("-pk"):
        if prompt.recommendation:
            prompts[prompt.recommendation.number] = prompt
    return prompts


def _seed_votes(spec, participants, contributions, posts):
    """Upsert each post's votes; returns how many the posts carry."""
    from participants.models import Vote

    rows = []
    for post in posts:
        contribution = contributions[post.key]
        for participant, choice in _planned_votes(spec, post, participants):
            rows.append(Vote(participant=participant, contribution=contribution, choice=choice))
    Vote.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["participant", "contribution"],
        update_fields=["choice", "updated"],
    )
    return len(rows)


CHOICES = {"A": "agree", "D": "disagree", "P": "pass"}
ODD_ONE_OUT = {"X": "PD", "Y": "PA"}


def _planned_votes(spec, post, participants):
    """(participant, choice) pairs for one post: nobody votes on their own post."""
    # One generator per post, so editing one post does not reshuffle every other.
    rng = random.Random(f"{SEED}/{spec.key}/{post.key}")
    planned = []
    for group, pattern in post.votes.items():
        voters = [
            participants[(group, i)]
            for i in range(len(spec.roster.get(group, ())))
            if (group, i) != post.author
        ]
        rng.shuffle(voters)
        for voter, letter in zip(voters, pattern, strict=False):
            planned.append((voter, CHOICES[_resolve(letter, rng)]))
    return planned


def _resolve(letter, rng):
    """X and Y are the odd one out in a group: which way they go is left to chance."""
    if letter in ODD_ONE_OUT:
        return rng.choice(ODD_ONE_OUT[letter])
    return letter


def _backdate(model, times):
    """Set `created` to a time during the workshop, in one UPDATE.

    `created` is auto_now_add, so it can only be set after the insert.
    """
    from django.db.models import Case, DateTimeField, Value, When

    if not times:
        return
    model.objects.filter(pk__in=times).update(
        created=Case(
            *(When(pk=pk, then=Value(at)) for pk, at in times.items()),
            output_field=DateTimeField(),
        )
    )
