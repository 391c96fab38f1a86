"""Reads the demo's content from demo/content/*.yaml, and checks it before any row is written.

The YAML is for a content editor to change, so each mistake in it is reported as a
CommandError naming the file and what is wrong. Nothing here needs Django set up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.core.management.base import CommandError

from pillars import send_reform

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LONDON = ZoneInfo("Europe/London")
# The stakeholder groups' slugs, in the order the participants migration loads them. Votes are
# drawn group by group in this order, so the same content always gives the same votes.
GROUPS = ("pcf", "education", "health", "local_government", "young_person", "other")
# The demo discusses the SEND reform framework, as the pillars migration loads it.
RECOMMENDATIONS = frozenset(rec["number"] for rec in send_reform.RECOMMENDATIONS)
VOTE_LETTERS = "ADPXY"
EVERYONE = "everyone"  # the votes key for every group not named


@dataclass(frozen=True)
class Login:
    username: str
    password: str


@dataclass(frozen=True)
class SeriesSpec:
    name: str
    organisation: str
    description: str
    framework: str
    results_code: str
    facilitator: Login
    analyst: Login
    common_ground: tuple[str, ...]
    sequencing: str
    other_debates: tuple[str, ...]
    agreed_against: tuple[str, ...]
    # What analysts wrote around the report (see synthesis.models.ReportText).
    report_text: dict
    # Key findings: title, body, kind, easy_read, the statements that are their evidence, and
    # the organisers' responses to them, oldest first.
    findings: tuple[dict, ...]
    # Themes an analyst linked: title, and the statements whose posts it gathers.
    themes: tuple[dict, ...]


@dataclass(frozen=True)
class WorkshopSpec:
    key: str
    title: str
    kind: str
    region: str
    venue: str
    starts_at: datetime
    roster: dict[str, tuple[str, ...]]  # display names per group, in joining order
    join_code: str = ""  # only the live workshop has one
    open_recommendations: tuple[int, ...] = ()
    # People who only voted, after the roster in joining order; only the live workshop has them.
    voters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The camp letter of each person of a group, roster then voters: how the room divided.
    camps: dict[str, str] = field(default_factory=dict)

    def people(self, group):
        """A group's display names, in joining order: the roster, then the voters."""
        return self.roster.get(group, ()) + self.voters.get(group, ())


@dataclass(frozen=True)
class Post:
    workshop: str
    key: str
    author: tuple[str, int]  # (group, index in that group's roster)
    recommendation: int
    text: str
    votes: dict[str, str]  # vote letters per group, in GROUPS order
    hidden: bool = False
    # Vote letters per camp, in camp order: a post the room divided on, voted by camp.
    camp_votes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Content:
    series: SeriesSpec
    workshops: tuple[WorkshopSpec, ...]
    posts: tuple[Post, ...]

    @property
    def live_workshop(self):
        return next(spec for spec in self.workshops if spec.join_code)


class ContentFile:
    """One YAML file, parsed; its errors name it."""

    def __init__(self, path):
        self.path = Path(path)
        try:
            self.data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except OSError as error:
            raise self.error(f"cannot be read ({error.strerror})") from error
        except yaml.YAMLError as error:
            raise self.error(f"is not valid YAML: {error}") from error

    def error(self, problem, where=""):
        return CommandError(f"{self.path}: {where + ': ' if where else ''}{problem}")

    def need(self, mapping, name, where=""):
        if not isinstance(mapping, dict) or name not in mapping:
            raise self.error(f"'{name}' is missing", where)
        return mapping[name]


def load(directory=CONTENT_DIR):
    """The demo content in `directory`, checked; raises CommandError on the first mistake."""
    directory = Path(directory)
    series = _series(ContentFile(directory / "series.yaml"))
    workshops = _workshops(ContentFile(directory / "workshops.yaml"))
    posts = _posts(ContentFile(directory / "posts.yaml"), {w.key: w for w in workshops})
    missing = {
        *series.common_ground,
        series.sequencing,
        *series.other_debates,
        *series.agreed_against,
    }
    missing |= {key for finding in series.findings for key in finding["statements"]}
    missing |= {key for theme in series.themes for key in theme["statements"]}
    missing -= {post.key for post in posts}
    if missing:
        raise CommandError(f"{directory / 'series.yaml'}: no post makes {sorted(missing)}")
    return Content(series, workshops, posts)


def _series(file):
    data, need = file.data, file.need
    logins, statements = need(data, "logins"), need(data, "statements")
    return SeriesSpec(
        **{
            key: need(data, key)
            for key in ("name", "organisation", "description", "framework", "results_code")
        },
        facilitator=_login(file, logins, "facilitator"),
        analyst=_login(file, logins, "analyst"),
        common_ground=tuple(need(statements, "common_ground", "statements")),
        sequencing=need(statements, "sequencing", "statements"),
        other_debates=tuple(need(statements, "other_debates", "statements")),
        agreed_against=tuple(need(statements, "agreed_against", "statements")),
        report_text=_report_text(file, need(data, "report_text")),
        findings=tuple(_finding(file, f, n) for n, f in enumerate(need(data, "findings"), 1)),
        themes=tuple(_theme(file, t, n) for n, t in enumerate(need(data, "themes"), 1)),
    )


FINDING_FIELDS = ("title", "body", "kind", "easy_read", "statements")


def _finding(file, data, number):
    where = f"findings, number {number}"
    found = {name: file.need(data, name, where) for name in FINDING_FIELDS}
    if found["kind"] not in ("common_ground", "debate"):
        raise file.error(f"kind '{found['kind']}' is not common_ground or debate", where)
    responses = data.get("responses", [])
    if not isinstance(responses, list):
        raise file.error("responses should be a list", where)
    found["responses"] = tuple(
        _response(file, response, f"{where}, response {n}")
        for n, response in enumerate(responses, 1)
    )
    return found


RESPONSE_FIELDS = ("status", "date", "action", "responsible", "easy_read")


def _response(file, data, where):
    """A response's shape; its values are checked by the service that saves it."""
    found = {name: file.need(data, name, where) for name in RESPONSE_FIELDS}
    if not isinstance(found["date"], date):
        raise file.error("date should be a date like 2025-03-18", where)
    return {**found, "reason": str(data.get("reason", ""))}


def _theme(file, data, number):
    where = f"themes, number {number}"
    title, statements = file.need(data, "title", where), file.need(data, "statements", where)
    if not isinstance(statements, list) or not statements:
        raise file.error("statements should be a list of post keys", where)
    return {"title": title, "statements": tuple(statements)}


REPORT_TEXT_FIELDS = ("background", "recruitment", "summary", "caveats", "next_steps")


def _report_text(file, data):
    if not isinstance(data, dict) or set(data) - set(REPORT_TEXT_FIELDS):
        raise file.error(f"takes only {', '.join(REPORT_TEXT_FIELDS)}", "report_text")
    return {name: str(value) for name, value in data.items()}


def _login(file, logins, role):
    login = file.need(logins, role, "logins")
    where = f"logins: {role}"
    return Login(file.need(login, "username", where), file.need(login, "password", where))


def _workshops(file):
    if not isinstance(file.data, list):
        raise file.error("should be a list of workshops")
    workshops = tuple(_workshop(file, data) for data in file.data)
    if sum(1 for spec in workshops if spec.join_code) != 1:
        raise file.error("exactly one workshop should be live (have a 'live:' join code)")
    return workshops


def _workshop(file, data):
    key = file.need(data, "key")
    where = f"workshop '{key}'"
    roster = file.need(data, "roster", where)
    _check_groups(file, roster, f"{where} roster")
    live = data.get("live") or {}
    open_recommendations = tuple(live.get("open_recommendations", ()))
    for number in open_recommendations:
        _check_recommendation(file, number, f"{where} live")
    voters = live.get("voters") or {}
    _check_groups(file, voters, f"{where} voters")
    spec = WorkshopSpec(
        key=key,
        **{name: file.need(data, name, where) for name in ("title", "kind", "region", "venue")},
        starts_at=_london_time(file, file.need(data, "starts_at", where), where),
        roster={group: tuple(names) for group, names in roster.items()},
        join_code=live.get("join_code", ""),
        open_recommendations=open_recommendations,
        voters={group: tuple(names) for group, names in voters.items()},
        camps={group: str(letters) for group, letters in (live.get("camps") or {}).items()},
    )
    _check_camps(file, spec, f"{where} camps")
    return spec


def _check_camps(file, spec, where):
    """Every person of the workshop is in one camp, or nobody is."""
    if not spec.camps:
        return
    _check_groups(file, spec.camps, where)
    for group in GROUPS:
        people, letters = len(spec.people(group)), spec.camps.get(group, "")
        if len(letters) != people:
            problem = f"{group} has {people} people but {len(letters)} camp letters"
            raise file.error(problem, where)
        if not letters.isalpha() or not letters.isupper():
            raise file.error(f"{group}: a camp is one capital letter per person", where)


def _london_time(file, value, where):
    try:
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as error:
        raise file.error(f"starts_at '{value}' is not a date and time", where) from error
    return when if when.tzinfo else when.replace(tzinfo=LONDON)


def _posts(file, workshops):
    patterns = file.need(file.data, "patterns")
    for name, letters in patterns.items():
        unknown = sorted(set(str(letters)) - set(VOTE_LETTERS))
        if unknown:
            raise file.error(
                f"unknown vote letter {', '.join(unknown)}: use A (agree), D (disagree), "
                "P (pass), X (pass or disagree) or Y (pass or agree)",
                f"vote pattern '{name}'",
            )
    posts = tuple(_post(file, data, workshops, patterns) for data in file.need(file.data, "posts"))
    seen = set()
    for post in posts:
        if (post.workshop, post.key) in seen:
            raise file.error(f"key '{post.key}' is used twice in workshop '{post.workshop}'")
        seen.add((post.workshop, post.key))
    return posts


def _post(file, data, workshops, patterns):
    key, workshop = file.need(data, "key"), file.need(data, "workshop")
    where = f"post '{key}' in {workshop}"
    if workshop not in workshops:
        raise file.error(f"unknown workshop (workshops: {', '.join(workshops)})", where)
    recommendation = file.need(data, "recommendation", where)
    _check_recommendation(file, recommendation, where)
    camp_votes = _camp_votes(file, patterns, workshops[workshop], data, where)
    return Post(
        workshop=workshop,
        key=key,
        author=_author(file, workshops[workshop], file.need(data, "author", where), where),
        recommendation=recommendation,
        text=file.need(data, "text", where),
        votes=_votes(file, patterns, {} if camp_votes else data.get("votes") or {}, where),
        hidden=bool(data.get("hidden", False)),
        camp_votes=camp_votes,
    )


def _camp_votes(file, patterns, spec, data, where):
    """The vote letters for every camp of the workshop, for a post voted by camp."""
    votes = data.get("camps")
    if votes is None:
        return {}
    if data.get("votes"):
        raise file.error("a post is voted by group ('votes') or by camp ('camps'), not both", where)
    camps = sorted(set("".join(spec.camps.values())))
    if sorted(votes) != camps:
        problem = f"camps should name each of the workshop's camps ({', '.join(camps) or 'none'})"
        raise file.error(problem, where)
    return {camp: _pattern(file, patterns, name, where) for camp, name in sorted(votes.items())}


def _author(file, spec, author, where):
    """(group, index in the roster) for {group, name}, or {group, seat} for someone nameless."""
    group = file.need(author, "group", f"{where} author")
    _check_groups(file, [group], f"{where} author")
    names = spec.roster.get(group, ())
    if "seat" in author:
        index = author["seat"] - 1 if isinstance(author["seat"], int) else -1
    else:
        name = file.need(author, "name", f"{where} author")
        index = names.index(name) if name and names.count(name) == 1 else -1
    if not 0 <= index < len(names):
        detail = ", ".join(f"{k}: {v}" for k, v in author.items())
        raise file.error(f"the author ({detail}) is not in the {spec.key} roster", where)
    return (group, index)


def _votes(file, patterns, votes, where):
    """The vote letters for every group, in GROUPS order: `everyone`, except groups named."""
    _check_groups(file, set(votes) - {EVERYONE}, f"{where} votes")
    chosen = {group: votes.get(group, votes.get(EVERYONE, "none")) for group in GROUPS}
    return {group: _pattern(file, patterns, name, where) for group, name in chosen.items()}


def _pattern(file, patterns, name, where):
    if name not in patterns:
        known = ", ".join(patterns)
        raise file.error(f"unknown vote pattern '{name}' (patterns: {known})", where)
    return str(patterns[name])


def _check_groups(file, groups, where):
    unknown = sorted(str(group) for group in groups if group not in GROUPS)
    if unknown:
        problem = f"unknown group {', '.join(unknown)} (groups: {', '.join(GROUPS)})"
        raise file.error(problem, where)


def _check_recommendation(file, number, where):
    if number not in RECOMMENDATIONS:
        known = ", ".join(str(n) for n in sorted(RECOMMENDATIONS))
        raise file.error(f"unknown recommendation {number} (the framework has {known})", where)
