"""Writes the demo series from demo/content/*.yaml: workshops, participants, posts and votes.

Loading is idempotent: every row has a natural key (a title, a display name and table, a uuid5
client id), so a second run updates rows in place instead of adding to them. Importing this
module reads and checks the YAML, so a mistake in it stops the import with a CommandError.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple
from urllib.parse import urljoin

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Case, DateTimeField, Value, When
from django.urls import reverse

from accounts.models import Membership, Organisation
from accounts.services import organisation_create
from demo import URL, loader
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from pillars.models import Framework
from synthesis import tallies, vectors
from synthesis.models import Finding, ReportVersion, Theme
from synthesis.publication import published_version, report_version_publish
from synthesis.services import (
    finding_response_add,
    finding_response_edit,
    finding_save,
    report_text_save,
    theme_create,
    theme_update,
)
from synthesis.versions import report_version_finalise
from workshops import services
from workshops.models import Prompt, Series, Workshop

CONTENT = loader.load()

FACILITATOR_USERNAME = CONTENT.series.facilitator.username
FACILITATOR_PASSWORD = CONTENT.series.facilitator.password
ANALYST_USERNAME = CONTENT.series.analyst.username
ANALYST_PASSWORD = CONTENT.series.analyst.password
JOIN_CODE = CONTENT.live_workshop.join_code
RESULTS_CODE = CONTENT.series.results_code
SERIES_NAME = CONTENT.series.name
ORGANISATION = CONTENT.series.organisation
POSTS = CONTENT.posts
# Keys of the addendum's headline statements; a statement may be posted in several workshops.
COMMON_GROUND_STATEMENTS = CONTENT.series.common_ground
SEQUENCING_STATEMENT = CONTENT.series.sequencing
OTHER_DEBATE_STATEMENTS = CONTENT.series.other_debates
AGREED_AGAINST_STATEMENTS = CONTENT.series.agreed_against

# The votes' random choices start from this, so every run draws the same votes.
VOTE_SEED = 20250204
# Fixed, so client ids (and so the rows they key) are the same on every run and machine.
CLIENT_ID_NAMESPACE = uuid.UUID("5d1c6a0e-2b7f-4c43-9a57-3f0d8e6b1c25")
CHOICES = {"A": "agree", "D": "disagree", "P": "pass"}
ODD_ONE_OUT = {"X": "PD", "Y": "PA"}


@dataclass
class Demo:
    """What the seed left in the database, for the command to report."""

    series: Series
    workshops: list[Workshop] = field(default_factory=list)
    participants: int = 0
    contributions: int = 0
    votes: int = 0


class Seat(NamedTuple):
    group: str
    index: int  # position in the group's roster, as Post.author refers to it
    name: str
    table: int
    minutes_in: int  # when they joined, after the start


def client_id(workshop_key, post_key):
    return uuid.uuid5(CLIENT_ID_NAMESPACE, f"{workshop_key}/{post_key}")


def statement_contributions(key):
    """Every demo contribution that makes the headline statement `key`, in any workshop."""
    ids = [client_id(post.workshop, post.key) for post in POSTS if post.key == key]
    return Contribution.objects.filter(client_id__in=ids)


def seed(stdout=None):
    """Create or refresh the demo; returns a Demo summary. Safe to run again."""
    with transaction.atomic():
        organisation = _seed_organisation(CONTENT.series.organisation)
        # The facilitator also administers the organisation: its members and frameworks.
        _seed_user(CONTENT.series.facilitator, organisation, ["facilitator", "admin"])
        _seed_user(CONTENT.series.analyst, organisation, ["analyst"])
        summary = Demo(series=_seed_series(CONTENT.series, organisation))
        for spec in CONTENT.workshops:
            workshop = _seed_workshop(summary.series, spec)
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
        _seed_findings(summary.series, CONTENT.series.findings)
        _seed_themes(summary.series, CONTENT.series.themes)
        # Every post's meaning, so the board's similar posts and suggested themes show.
        vectors.refresh(Contribution.objects.filter(workshop__series=summary.series))
        analyst = get_user_model().objects.get(username=ANALYST_USERNAME)
        if not summary.series.report_versions.filter(status="final").exists():
            # One final version, as the analysts left it; later runs keep it as it was.
            report_version_finalise(series=summary.series, user=analyst)
        if published_version(summary.series) is None:
            final = summary.series.report_versions.filter(status=ReportVersion.Status.FINAL)
            report_version_publish(final.first(), user=analyst)
        _seed_responses(summary.series, CONTENT.series.findings, analyst)
    return summary


def _seed_responses(series, findings, analyst):
    """The organisers' responses to the findings, matched on their finding, status and date."""
    for spec in findings:
        finding = Finding.objects.get(series=series, title=spec["title"])
        for fields in spec["responses"]:
            response = finding.responses.filter(
                status=fields["status"], date=fields["date"]
            ).first()
            if response and all(getattr(response, k) == v for k, v in fields.items()):
                continue  # as the content has it: no edit, no audit entry, no notice
            try:
                if response:
                    finding_response_edit(response=response, user=analyst, **fields)
                else:
                    finding_response_add(finding=finding, user=analyst, **fields)
            except ValidationError as error:
                raise CommandError(
                    f"demo/content/series.yaml: a response to “{spec['title']}”: "
                    f"{' '.join(error.messages)}"
                ) from error


def _seed_findings(series, findings):
    """The analysts' key findings, matched on their titles, with their statements' posts."""
    for spec in findings:
        posts = [c.pk for key in spec["statements"] for c in statement_contributions(key)]
        finding_save(
            series=series,
            finding=Finding.objects.filter(series=series, title=spec["title"]).first(),
            title=spec["title"],
            body=spec["body"],
            kind=spec["kind"],
            easy_read=spec["easy_read"],
            contribution_ids=posts,
        )


def _seed_themes(series, themes):
    """The cross-cutting themes, matched on their titles, linking their statements' posts."""
    for spec in themes:
        posts = [c.pk for key in spec["statements"] for c in statement_contributions(key)]
        theme = Theme.objects.filter(series=series, title=spec["title"]).first()
        if theme:
            theme_update(theme=theme, title=spec["title"], contribution_ids=posts)
        else:
            analyst = get_user_model().objects.get(username=ANALYST_USERNAME)
            theme_create(series=series, title=spec["title"], contribution_ids=posts, user=analyst)


def closing_lines(url=URL):
    """What to tell whoever ran the seed: where to go and how to get in."""
    return [
        f"Open {url}",
        "Facilitator and organisation admin login: "
        f"{FACILITATOR_USERNAME} / {FACILITATOR_PASSWORD}",
        f"Analyst login: {ANALYST_USERNAME} / {ANALYST_PASSWORD}",
        f"Join code for the live workshop: {JOIN_CODE}",
        f"Public results of the series: {urljoin(url, reverse('results', args=[RESULTS_CODE]))}",
    ]


def _seed_organisation(name):
    organisation = Organisation.objects.filter(name=name).first()
    return organisation or organisation_create(name=name)


def _seed_user(login, organisation, roles):
    user, _ = get_user_model().objects.get_or_create(username=login.username)
    # Reset every run, so the printed logins always work, whatever was changed since.
    user.set_password(login.password)
    user.is_active = True
    user.save()
    for role in roles:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


def _seed_series(spec, organisation):
    series, _ = Series.objects.update_or_create(
        name=spec.name,
        defaults={
            "framework": Framework.objects.get(slug=spec.framework, organisation=organisation),
            "organisation": organisation,
            "description": spec.description,
            "results_code": spec.results_code,
        },
    )
    report_text_save(series=series, **spec.report_text)
    return series


def _seed_workshop(series, spec):
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
    if spec.join_code:
        _make_live(workshop, spec)
    else:
        services.workshop_set_status(workshop=workshop, status=Workshop.Status.CLOSED)
    workshop.refresh_from_db()
    return workshop


def _make_live(workshop, spec):
    clash = Workshop.objects.filter(join_code=spec.join_code).exclude(pk=workshop.pk).first()
    if clash:
        raise CommandError(
            f"Join code {spec.join_code} is already used by '{clash}' (id {clash.pk})."
        )
    # join_code is not editable in forms; the demo needs one people can remember.
    Workshop.objects.filter(pk=workshop.pk).update(join_code=spec.join_code)
    services.workshop_set_status(workshop=workshop, status=Workshop.Status.LIVE)
    workshop.prompts.update(is_open=False)
    workshop.prompts.filter(recommendation__number__in=spec.open_recommendations).update(
        is_open=True
    )


def seats(spec):
    """Everyone in the workshop, in joining order: the roster, then those who only voted.

    Tables are dealt round in joining order, so every table mixes groups, as in a
    co-production room.
    """
    joined = [(group, i) for group, names in spec.roster.items() for i in range(len(names))]
    joined += [
        (group, len(spec.roster.get(group, ())) + i)
        for group, names in spec.voters.items()
        for i in range(len(names))
    ]
    return [
        Seat(group, i, spec.people(group)[i], n % 5 + 1, n) for n, (group, i) in enumerate(joined)
    ]


def _seed_participants(workshop, spec):
    """{(group, index): Participant}, matched on (group, display name, table)."""
    group_ids = dict(StakeholderGroup.objects.values_list("slug", "pk"))
    wanted = {(group_ids[seat.group], seat.name, seat.table): seat for seat in seats(spec)}
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
    prompts = _prompts_by_recommendation(workshop)
    contributions = {
        post.key: Contribution(
            workshop=workshop,
            participant=participants[post.author],
            prompt=prompts[post.recommendation],
            text=post.text,
            client_id=client_id(spec.key, post.key),
            state=Contribution.State.HIDDEN if post.hidden else Contribution.State.VISIBLE,
        )
        for post in posts
    }
    # The upsert returns each row's primary key, new or existing (PostgreSQL, SQLite 3.35+).
    Contribution.objects.bulk_create(
        contributions.values(),
        update_conflicts=True,
        unique_fields=["participant", "client_id"],
        update_fields=["workshop", "prompt", "text", "state"],
    )
    # Spread over the morning, in the order they are listed, so the wall reads naturally.
    minutes = {c.pk: 30 + 4 * n for n, c in enumerate(contributions.values())}
    _backdate(
        Contribution, {pk: spec.starts_at + timedelta(minutes=m) for pk, m in minutes.items()}
    )
    return contributions


def _restore_prompts(workshop):
    """Recreate any recommendation's prompt that a facilitator deleted since the last run."""
    have = set(workshop.prompts.values_list("recommendation", flat=True))
    Prompt.objects.bulk_create(
        services.default_prompt(workshop=workshop, recommendation=rec)
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
    rows = [
        Vote(participant=participant, contribution=contributions[post.key], choice=choice)
        for post in posts
        for participant, choice in _planned_votes(spec, post, participants)
    ]
    Vote.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["participant", "contribution"],
        update_fields=["choice", "updated"],
    )
    # Loaded in bulk, past the vote service: the posts' counts are made from their votes.
    tallies.recount([contributions[post.key].pk for post in posts])
    return len(rows)


def _planned_votes(spec, post, participants):
    """(participant, choice) pairs for one post: nobody votes on their own post.

    A group's pattern is voted by as many of its roster as it has letters; a camp's pattern
    is repeated over everyone in the camp.
    """
    # One generator per post, so editing one post does not reshuffle every other.
    rng = random.Random(f"{VOTE_SEED}/{spec.key}/{post.key}")
    planned = []
    for group, pattern in post.votes.items():
        voters = [
            participants[(group, i)]
            for i in range(len(spec.roster.get(group, ())))
            if (group, i) != post.author
        ]
        rng.shuffle(voters)
        planned += [
            (voter, _choice(letter, rng)) for voter, letter in zip(voters, pattern, strict=False)
        ]
    for camp, pattern in post.camp_votes.items():
        voters = [
            participants[(group, i)]
            for group, letters in spec.camps.items()
            for i, letter in enumerate(letters)
            if letter == camp and (group, i) != post.author
        ]
        rng.shuffle(voters)
        planned += [
            (voter, _choice(pattern[n % len(pattern)], rng)) for n, voter in enumerate(voters)
        ]
    return planned


def _choice(letter, rng):
    """X and Y are the odd one out in a group: which way they go is left to chance."""
    if letter in ODD_ONE_OUT:
        letter = rng.choice(ODD_ONE_OUT[letter])
    return CHOICES[letter]


def _backdate(model, times):
    """Set `created` to a time during the workshop, in one UPDATE.

    `created` is auto_now_add, so it can only be set after the insert.
    """
    if not times:
        return
    model.objects.filter(pk__in=times).update(
        created=Case(
            *(When(pk=pk, then=Value(at)) for pk, at in times.items()),
            output_field=DateTimeField(),
        )
    )
