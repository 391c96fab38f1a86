import os

import pytest
from django.core.cache import cache

from participants import tokens
from tests.events import record_announcements
from tests.factories import ParticipantFactory, UserFactory, make_workshop
from tests.helpers import FAST_HASHERS


def pytest_collection_modifyitems(config, items):
    """Tests that need several processes sharing Redis run only where REDIS_URL is set.

    They are deselected, not skipped: the embedded pass has no Redis to give them, and the
    CI pass on PostgreSQL + Redis runs them.
    """
    if os.environ.get("REDIS_URL"):
        return
    needs_redis = [item for item in items if item.get_closest_marker("services")]
    if needs_redis:
        config.hook.pytest_deselected(items=needs_redis)
        items[:] = [item for item in items if not item.get_closest_marker("services")]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every UserFactory user has a password; the real hasher would cost ~0.25 s each."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    """The tests load the demo, as `make run` does."""
    settings.DEMO = True


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_eagerly(request, settings):
    """A queued task runs at once in the test that queued it (after the commit, for
    delay_on_commit), so the test sees what it did, and nothing reaches Redis.

    The services tests keep the environment's mode, Celery workers over Redis, to exercise
    a real worker; tests/test_background.py turns on the thread runner itself.
    """
    if request.node.get_closest_marker("services") is None:
        settings.BACKGROUND_TASKS = "eager"


@pytest.fixture
def workshop(db):
    return make_workshop()


@pytest.fixture
def participant(workshop):
    return ParticipantFactory(workshop=workshop)


@pytest.fixture
def facilitator(db):
    return UserFactory(roles=["facilitator"])


@pytest.fixture
def analyst(db):
    return UserFactory(roles=["analyst"])


@pytest.fixture
def admin(db):
    """An organisation admin: members, frameworks and the audit log, and nothing else."""
    return UserFactory(roles=["admin"])


@pytest.fixture
def participant_client(client, participant):
    """A browser that has joined `workshop` as `participant`."""
    client.cookies[tokens.cookie_name(participant.workshop)] = tokens.make_token(participant)
    return client


@pytest.fixture
def announced():
    """Every domain event sent while the test runs, in order: [(name, {argument: value})]."""
    sent, stop = record_announcements()
    yield sent
    stop()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed: on-commit callbacks run at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
