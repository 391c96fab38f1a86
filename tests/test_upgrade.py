"""A database built by the first release (tag v0.1.0) migrates to this code and keeps every
row: the audit log moves to `accounts`, the wall's spotlight to `facilitation`, and series
named by organisation become series owned by one, with their staff as members."""

import json
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_RELEASE = "v0.1.0"
# The commit the tag names, for a clone that did not fetch tags.
FIRST_RELEASE_COMMIT = "e46b923e08d660019a782a01b4b30c5078ef8594"

# Run by the first release's code: the demo, a spotlight, and audit entries of each kind.
BUILD_OLD = """
from django.contrib.auth.models import User
from participants import services
from participants.models import Participant
from workshops import demo, services as workshop_services
from workshops.models import Workshop

demo.seed()
live = Workshop.objects.get(join_code=demo.JOIN_CODE)
post = live.contributions.filter(state="visible").first()
workshop_services.workshop_spotlight(workshop=live, contribution=post)
facilitator = User.objects.get(username=demo.FACILITATOR_USERNAME)
last_post = live.contributions.last()
services.contribution_set_state(contribution=last_post, state="hidden", by=facilitator)
last_person = Participant.objects.filter(workshop=live).last()
services.participant_erase(participant=last_person, by=facilitator)

# Two more series on the same framework: one with no organisation, one of another body,
# with a workshop whose questions point at the framework's recommendations.
from django.contrib.auth.models import Group
from django.utils import timezone
from pillars.models import Framework
from workshops.models import Series
framework = Framework.objects.get(slug="send-reform")
Series.objects.create(name="Nobody's series", framework=framework, organisation="  ")
theirs = Series.objects.create(name="Their series", framework=framework, organisation="Other body")
workshop_services.workshop_create(series=theirs, title="Their workshop", starts_at=timezone.now())
both = User.objects.create_user("both-roles")
both.groups.add(*Group.objects.filter(name__in=["Facilitators", "Analysts"]))
"""

# Run by this version after the upgrade: who owns what, and who may do what where.
OWNERS = """
import json
from accounts.models import Membership
from workshops.models import Prompt, Series
from django.contrib.auth.models import Group

print(json.dumps({
    "series": sorted(
        (s.name, s.organisation.name, s.framework.organisation.name)
        for s in Series.objects.all()
    ),
    "frameworks_per_organisation": sorted(
        {(s.organisation.name, s.framework_id) for s in Series.objects.all()}
    ),
    "questions_on_their_series_framework": all(
        p.recommendation.pillar.framework_id == p.workshop.series.framework_id
        for p in Prompt.objects.exclude(recommendation=None)
    ),
    "members": sorted(
        (m.user.username, m.organisation.name, m.role) for m in Membership.objects.all()
    ),
    "old_groups": list(Group.objects.filter(name__in=["Facilitators", "Analysts"]).values_list(
        "name", flat=True)),
}))
"""

# Run by both versions: what must survive the upgrade.
COUNT = """
import json
from django.apps import apps

def rows(label):
    return list(apps.get_model(label).objects.order_by("pk").values())

audit = apps.get_model("accounts.AuditEntry") if apps.is_installed("accounts") else (
    apps.get_model("workshops.AuditEntry"))
spotlights = (
    list(apps.get_model("facilitation.Spotlight").objects.values_list("workshop", "contribution"))
    if apps.is_installed("facilitation")
    else list(apps.get_model("workshops.Workshop").objects.filter(spotlight__isnull=False)
        .values_list("pk", "spotlight_id"))
)
print(json.dumps({
    "audit": [
        (e.action, e.target_type, e.target_id, e.workshop_id, e.actor_id, e.detail)
        for e in audit.objects.order_by("pk")
    ],
    "spotlights": spotlights,
    "series": len(rows("workshops.Series")),
    "workshops": [(w["title"], w["join_code"], w["status"]) for w in rows("workshops.Workshop")],
    "participants": len(rows("participants.Participant")),
    "contributions": [(c["id"], c["text"], c["state"]) for c in rows("participants.Contribution")],
    "votes": len(rows("participants.Vote")),
}, default=str))
"""


OTHER_SERIES = ("Nobody's series", "Their series")


def first_release_tree(where):
    """The first release's files, unpacked from git into `where`."""
    for ref in (f"{FIRST_RELEASE}^{{commit}}", FIRST_RELEASE_COMMIT):
        archive = subprocess.run(
            ["git", "archive", "--format=tar", ref], cwd=ROOT, capture_output=True
        )
        if archive.returncode == 0:
            with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
                tar.extractall(where, filter="data")
            return where
    pytest.fail(f"The first release ({FIRST_RELEASE}) is not in this clone's history.")


def manage(code_dir, database_url, *args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def counts(code_dir, database_url):
    return json.loads(manage(code_dir, database_url, "shell", "-c", COUNT).splitlines()[-1])


def upgrade_keeps_everything(tmp_path, database_url):
    old_code = first_release_tree(tmp_path / "v0.1.0")
    manage(old_code, database_url, "migrate", "--noinput")
    manage(old_code, database_url, "shell", "-c", BUILD_OLD)
    before = counts(old_code, database_url)
    assert len(before["audit"]) == 2 and len(before["spotlights"]) == 1

    manage(ROOT, database_url, "migrate", "--noinput")
    after = counts(ROOT, database_url)
    assert after == before
    assert "No changes detected" in manage(ROOT, database_url, "makemigrations", "--check")

    owners = json.loads(manage(ROOT, database_url, "shell", "-c", OWNERS).splitlines()[-1])
    owners["series"] = [tuple(row) for row in owners["series"]]
    owners["members"] = [tuple(row) for row in owners["members"]]
    demo_body = next(org for name, org, _ in owners["series"] if name not in OTHER_SERIES)
    organisations = sorted({demo_body, "Default organisation", "Other body"})
    assert owners["series"] == sorted(
        [
            *[
                (name, demo_body, demo_body)
                for name, *_ in owners["series"]
                if name not in OTHER_SERIES
            ],
            ("Nobody's series", "Default organisation", "Default organisation"),
            ("Their series", "Other body", "Other body"),
        ]
    )
    # Each organisation has a framework of its own: edits in one never reach another's.
    assert len({framework for _, framework in owners["frameworks_per_organisation"]}) == 3
    assert owners["questions_on_their_series_framework"] is True
    roles = {"facilitator": ["facilitator"], "analyst": ["analyst"]}
    roles["both-roles"] = ["analyst", "facilitator"]
    assert owners["members"] == sorted(
        (user, organisation, role)
        for user, held in roles.items()
        for organisation in organisations
        for role in held
    )
    assert owners["old_groups"] == []


def test_a_first_release_sqlite_database_migrates_and_keeps_its_data(tmp_path):
    """Every audit entry, spotlight, workshop, post and vote is there after the upgrade."""
    upgrade_keeps_everything(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")


@pytest.fixture
def scratch_postgres_database():
    """An empty PostgreSQL database beside the one the suite uses, dropped afterwards."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    server, name = url.rsplit("/", 1)
    scratch = f"{name}_upgrade"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        connection.execute(f'CREATE DATABASE "{scratch}"')
    yield f"{server}/{scratch}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


@pytest.mark.services
def test_a_first_release_postgresql_database_migrates_and_keeps_its_data(
    tmp_path, scratch_postgres_database
):
    """The same on PostgreSQL, where the audit log's foreign key is a real constraint."""
    upgrade_keeps_everything(tmp_path, scratch_postgres_database)
