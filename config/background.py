"""Runs Celery tasks on a few threads of this process: BACKGROUND_TASKS=threads.

The embedded default has no broker and no worker. A task queued by a request runs here
after the request has returned, so a long export shows its progress instead of holding the
page; a delayed one (countdown, eta) waits on one scheduler thread until it is due.

At exit Python finishes what the pool has already started or queued, so a management
command's task is not lost; tasks still waiting for their time are dropped with the process.
"""

import heapq
import itertools
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from celery.utils.time import maybe_make_aware
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


class ThreadResult:
    """What a caller may use of Celery's AsyncResult: the id, and the outcome once ready."""

    def __init__(self, task_id):
        self.id = task_id
        self._future = Future()

    def __str__(self):
        return self.id

    def ready(self):
        return self._future.done()

    def get(self, timeout=None):
        """The task's return value, or its exception raised here; waits up to `timeout` s."""
        return self._future.result(timeout)

    def record(self, outcome):
        """Keep a run's outcome: Celery's EagerResult, or the error that stopped the run."""
        if isinstance(outcome, Exception):
            self._future.set_exception(outcome)
        elif outcome.failed():
            self._future.set_exception(outcome.result)
        else:
            self._future.set_result(outcome.result)


class Scheduler:
    """One daemon thread that hands each delayed job to the pool when it falls due, so no
    pool thread is held asleep."""

    def __init__(self):
        self._due = []  # a heap of (monotonic time due, sequence number, job)
        self._sequence = itertools.count()  # orders jobs due at the same instant
        self._changed = threading.Condition()
        self._thread = None

    def add(self, delay, job):
        with self._changed:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._sequence), job))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._hand_over_forever, name="background-scheduler", daemon=True
                )
                self._thread.start()
            # The new job may be due before the one the thread is waiting for.
            self._changed.notify()

    def _hand_over_forever(self):
        while True:
            job = self._next_due()
            try:
                pool().submit(run, *job)
            except Exception as error:
                # The thread lives on for the jobs after this one.
                task, _, _, result = job
                logger.exception(
                    "Background task %s[%s] could not be started", task.name, result.id
                )
                result.record(error)

    def _next_due(self):
        with self._changed:
            while not self._due or self._due[0][0] > time.monotonic():
                wait = self._due[0][0] - time.monotonic() if self._due else None
                self._changed.wait(wait)
            return heapq.heappop(self._due)[2]


_pools = {}
_pools_lock = threading.Lock()
_scheduler = Scheduler()


def pool():
    """The executor of BACKGROUND_THREADS threads, read now so that a changed setting
    applies; one pool per size, made on first use."""
    size = settings.BACKGROUND_THREADS
    with _pools_lock:
        if size not in _pools:
            _pools[size] = ThreadPoolExecutor(size, thread_name_prefix="background-task")
        return _pools[size]


def submit(task, args, kwargs, task_id, countdown=None, eta=None):
    """Queue one call of `task`; it runs on a pool thread once it is due and a thread is
    free. Returns its ThreadResult at once."""
    result = ThreadResult(task_id)
    job = (task, args, kwargs, result)
    delay = seconds_until_due(countdown, eta)
    if delay > 0:
        _scheduler.add(delay, job)
    else:
        pool().submit(run, *job)
    return result


def seconds_until_due(countdown, eta):
    """The wait Celery would impose: `countdown` wins over `eta`; a naive eta is UTC, as
    Celery reads it."""
    if countdown:
        return countdown
    if eta is not None:
        return (maybe_make_aware(eta) - datetime.now(UTC)).total_seconds()
    return 0


def run(task, args, kwargs, result):
    """Run one call through Celery's tracer, as a worker would: a failure inside the task is
    logged by Celery with the task's name and id, and never reaches the pool."""
    try:
        outcome = task.apply(args, kwargs, task_id=result.id, throw=False)
    except Exception as error:
        logger.exception("Background task %s[%s] could not be run", task.name, result.id)
        outcome = error
    finally:
        # Pool threads outlive their tasks: a connection left open would sit idle until
        # the process ends (a slot of PostgreSQL's pool, a handle on the SQLite file).
        connections.close_all()
    result.record(outcome)
