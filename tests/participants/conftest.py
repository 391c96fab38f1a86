import pytest

from tests.helpers import freeze_ratelimit_window


@pytest.fixture
def fixed_window(monkeypatch):
    """Rate-limit counts all fall in one window, however long the test takes."""
    freeze_ratelimit_window(monkeypatch)
