import pytest
from django.core.cache import cache

from participants import tokens
from tests.factories import ParticipantFactory, UserFactory, make_workshop


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def workshop(db):
    return make_workshop()


@pytest.fixture
def participant(workshop):
    return ParticipantFactory(workshop=workshop)


@pytest.fixture
def facilitator(db):
    return UserFactory(roles=["Facilitators"])


@pytest.fixture
def analyst(db):
    return UserFactory(roles=["Analysts"])


@pytest.fixture
def participant_client(client, participant):
    """A browser that has joined `workshop` as `participant`."""
    client.cookies[tokens.cookie_name(participant.workshop)] = tokens.make_token(participant)
    return client
