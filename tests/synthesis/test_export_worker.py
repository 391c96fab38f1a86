"""An export requested through the service is built by a real Celery worker over Redis.

Runs only in the CI pass with REDIS_URL (and PostgreSQL): the worker is a thread with its
own database connection, so the test commits for real (transaction=True) and the worker
sees the rows; serialized_rollback puts the migrations' data back for the tests after.
"""

import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from config.celery import app as celery_app
from participants.models import Vote
from synthesis.models import ReportExport
from synthesis.services import export_request
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    UserFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT_SECONDS = 60
QUOTE = "Every school should have the same core offer, written down."


@pytest.fixture
def worker(monkeypatch, settings):
    """A worker thread on the real broker; Celery must not take over pytest's logging."""
    assert settings.BACKGROUND_TASKS == "celery", "this pass should use the Redis broker"
    monkeypatch.setitem(celery_app.conf, "worker_hijack_root_logger", False)
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30
    ) as running:
        yield running


def wait_until_finished(export):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.is_finished:
            return export
        time.sleep(0.1)
    pytest.fail(f"export still {export.status} at {export.progress}% after {WAIT_SECONDS} s")


@pytest.fixture
def workshop():
    workshop = make_workshop(title="Worker workshop")
    post = ContributionFactory(participant__workshop=workshop, text=QUOTE)
    for slug in ("education", "health") * 3:
        VoteFactory(
            contribution=post,
            participant=ParticipantFactory(workshop=workshop, group=stakeholder_group(slug)),
            choice=Vote.Choice.AGREE,
        )
    return workshop


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_a_real_worker_builds_the_export(worker, workshop, kind):
    analyst = UserFactory(roles=["analyst"])
    with transaction.atomic():
        export, created = export_request(series=workshop.series, kind=kind, user=analyst)
        # Queued on commit: nothing can have started while the row was uncommitted.
        assert ReportExport.objects.get(pk=export.pk).status == ReportExport.Status.QUEUED
    assert created

    export = wait_until_finished(export)
    assert export.status == ReportExport.Status.DONE, export.error
    assert (export.progress, export.error) == (100, "")
    assert export.finished is not None
    with export.file.open("rb") as file:
        content = file.read()
    assert content
    if kind == "pdf":
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        assert QUOTE in " ".join(text.split())
    else:
        comments = list(load_workbook(io.BytesIO(content))["comments"].values)
        assert [row[7] for row in comments[1:]] == [QUOTE]

    # Asked again for the same unchanged data, the finished export is handed back.
    assert export_request(series=workshop.series, kind=kind, user=analyst) == (export, False)
