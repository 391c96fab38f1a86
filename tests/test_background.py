"""How queued tasks run, as settings.BACKGROUND_TASKS decides: on threads of this process
(the embedded default), through the broker to Celery workers, or at once in the caller.

The rest of the suite runs tasks eagerly (tests/conftest.py); these tests turn the thread
runner on. Those that need a task to see committed rows commit for real (transaction=True);
serialized_rollback puts the migrations' data back for the tests after.
"""

import logging
import os
import queue
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.urls import reverse
from kombu.exceptions import EncodeError

from config.celery import app as celery_app
from synthesis import tasks as synthesis_tasks
from synthesis.models import ReportExport
from tests.factories import ContributionFactory, UserFactory, make_workshop

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 30  # for a task to finish: generous, as a loaded machine may be slow
committed_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ran = queue.Queue()


@celery_app.task(name="tests.background.record")
def record(label):
    ran.put((label, threading.current_thread()))
    return label


@celery_app.task(name="tests.background.count_users")
def count_users():
    ran.put((get_user_model().objects.count(), threading.current_thread()))


@celery_app.task(name="tests.background.note_connection")
def note_connection():
    get_user_model().objects.exists()
    ran.put(connections["default"])


@celery_app.task(name="tests.background.explode")
def explode():
    raise RuntimeError("the task exploded")


@pytest.fixture(autouse=True)
def _nothing_ran_yet():
    while not ran.empty():
        ran.get_nowait()


@pytest.fixture
def threads(settings):
    settings.BACKGROUND_TASKS = "threads"
    return settings


def next_run():
    return ran.get(timeout=WAIT_SECONDS)


@committed_db
def test_a_task_queued_in_a_transaction_runs_after_commit_on_a_pool_thread(threads):
    with transaction.atomic():
        UserFactory()
        count_users.delay_on_commit()
        time.sleep(0.2)  # time enough to run, had it been handed over already
        assert ran.empty()
    users_seen, thread = next_run()
    assert users_seen == 1  # the row committed just before it ran
    assert thread is not threading.current_thread()
    assert thread.name.startswith("background-task")


@committed_db
def test_a_rolled_back_transaction_runs_nothing(threads):
    threads.BACKGROUND_THREADS = 1  # one thread, first in first out
    with transaction.atomic():
        record.delay_on_commit("rolled back")
        transaction.set_rollback(True)
    record.delay("after")
    assert next_run()[0] == "after"
    assert ran.empty()


def test_countdown_delays_a_task_without_holding_a_thread(threads):
    threads.BACKGROUND_THREADS = 1
    start = time.monotonic()
    late = record.apply_async(("late",), countdown=1)
    soon = record.apply_async(("soon",))
    assert soon.get(timeout=WAIT_SECONDS) == "soon"
    assert not late.ready()  # the only thread ran `soon` while `late` waited
    assert late.get(timeout=WAIT_SECONDS) == "late"
    assert time.monotonic() - start >= 1


def test_a_task_due_sooner_is_not_held_behind_a_later_one(threads):
    later = record.apply_async(("later",), eta=datetime.now(UTC) + timedelta(seconds=2))
    sooner = record.apply_async(("sooner",), countdown=0.1)
    assert sooner.get(timeout=WAIT_SECONDS) == "sooner"
    assert not later.ready()
    assert later.get(timeout=WAIT_SECONDS) == "later"


def test_a_failing_task_is_logged_and_the_runner_keeps_working(threads, caplog):
    threads.BACKGROUND_THREADS = 1
    failed = explode.delay()
    with pytest.raises(RuntimeError, match="the task exploded"):
        failed.get(timeout=WAIT_SECONDS)
    errors = [entry for entry in caplog.records if entry.levelno == logging.ERROR]
    assert [entry.getMessage() for entry in errors] == [
        f"Task {explode.name}[{failed.id}] raised unexpected: RuntimeError('the task exploded')"
    ]
    assert errors[0].exc_info is not None  # with its traceback
    assert record.delay("still working").get(timeout=WAIT_SECONDS) == "still working"


@committed_db
def test_the_worker_threads_database_connection_is_closed_after_its_task(threads, monkeypatch):
    # A test's in-memory SQLite ignores close(), so the calls are what can be checked.
    closed = []
    wrapper_class = type(connections["default"])
    close = wrapper_class.close

    def noting_close(wrapper):
        closed.append(wrapper)
        close(wrapper)

    monkeypatch.setattr(wrapper_class, "close", noting_close)
    note_connection.delay().get(timeout=WAIT_SECONDS)
    used = next_run()
    assert used is not connections["default"]  # the worker thread's own
    assert any(wrapper is used for wrapper in closed)


def test_arguments_a_broker_could_not_carry_are_refused_when_queued(threads):
    with pytest.raises(EncodeError):
        record.delay(object())
    with pytest.raises(TypeError):
        record.delay("one", "too many")
    assert ran.empty()


@pytest.fixture
def held_render(monkeypatch):
    """The export's renderer waits for `release`; `started` is set once it is entered, and
    `finished` once the task has recorded its outcome.

    The test waits on these rather than reading the export while the task writes it: the
    test database is SQLite in memory with a shared cache, where a write that meets another
    connection's read fails at once ("table is locked") instead of waiting its turn, as it
    does on the file that `make run` uses.
    """
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    render, update = synthesis_tasks.render_export, synthesis_tasks._update

    def wait_then_render(export):
        started.set()
        if not release.wait(WAIT_SECONDS):
            raise TimeoutError("the test never released the renderer")
        return render(export)

    def update_then_tell(export, **fields):
        update(export, **fields)
        if export.is_finished:
            finished.set()

    monkeypatch.setattr(synthesis_tasks, "render_export", wait_then_render)
    monkeypatch.setattr(synthesis_tasks, "_update", update_then_tell)
    yield started, release, finished
    release.set()  # never leave a pool thread waiting after a failed test


@committed_db
def test_an_export_is_built_after_the_request_has_returned(client, threads, held_render):
    started, release, finished = held_render
    workshop = make_workshop()
    ContributionFactory(participant__workshop=workshop)
    client.force_login(UserFactory(roles=["analyst"]))
    exports_url = reverse("synthesis:exports", args=[workshop.series.pk])

    response = client.post(exports_url, {"kind": "contributions_csv", "workshop": ""})
    assert response.status_code == 302  # back while the renderer is still held
    assert started.wait(WAIT_SECONDS)
    export = ReportExport.objects.get()
    status_url = reverse("synthesis:export_status", args=[export.token])
    fragment = client.get(status_url).content.decode()
    assert f'<progress id="progress-{export.pk}" max="100" value="10">' in fragment

    release.set()
    assert finished.wait(WAIT_SECONDS)
    export.refresh_from_db()
    assert (export.status, export.error) == (ReportExport.Status.DONE, "")
    download_url = reverse("synthesis:export_download", args=[export.token])
    assert f'href="{download_url}"' in client.get(status_url).content.decode()


def test_eager_runs_a_task_at_once_in_the_caller(settings):
    settings.BACKGROUND_TASKS = "eager"
    assert record.delay("now").get() == "now"
    assert ran.get_nowait() == ("now", threading.current_thread())


def test_celery_hands_the_task_to_the_broker(settings, monkeypatch):
    settings.BACKGROUND_TASKS = "celery"
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda *args, **options: sent.append(options))
    record.apply_async(("for a worker",), countdown=5)
    assert len(sent) == 1
    assert sent[0]["countdown"] == 5
    assert sent[0]["task_type"].name == record.name
    assert ran.empty()


def test_an_unknown_mode_is_refused_at_call_time(settings):
    settings.BACKGROUND_TASKS = "later"
    with pytest.raises(ImproperlyConfigured, match="please use celery, threads or eager"):
        record.delay("never")


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"BACKGROUND_TASKS": "later"}, "BACKGROUND_TASKS is 'later'; please set it to celery"),
        (
            {"BACKGROUND_TASKS": "celery", "REDIS_URL": ""},
            "BACKGROUND_TASKS=celery needs a broker: please set REDIS_URL",
        ),
    ],
    ids=["unknown", "celery without redis"],
)
def test_a_mode_that_cannot_work_stops_the_start(environment, message):
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert f"ImproperlyConfigured: {message}" in started.stderr


EXIT_SCRIPT = """
import pathlib, sys
import django
django.setup()
from config.celery import app

@app.task(name="exit_check.touch")
def touch(path):
    pathlib.Path(path).write_text("ran")

touch.delay(sys.argv[1])
touch.apply_async((sys.argv[2],), countdown=600)
"""


def test_a_process_exits_promptly_after_finishing_its_queued_tasks(tmp_path):
    queued, delayed = tmp_path / "queued", tmp_path / "delayed"
    subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, str(queued), str(delayed)],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "BACKGROUND_TASKS": "threads",
        },
        check=True,
        timeout=WAIT_SECONDS,  # far below the delayed task's 600 s: it does not hold the exit
    )
    assert queued.read_text() == "ran"  # finished before the exit, not lost
    assert not delayed.exists()  # still waiting for its time: dropped with the process
