import json

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok" and body["database"] == "ok"


def test_healthz_is_unhealthy_when_redis_is_unreachable(client, settings, monkeypatch):
    """With REDIS_URL set but Redis gone, the web process says so with a 503."""
    from config import health

    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    def unreachable():
        raise ConnectionError("refused")

    monkeypatch.setattr(health, "_redis", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["redis"].startswith("unreachable")


def test_logs_can_be_json_lines():
    import logging

    from config.logging import JSONLinesFormatter

    record = logging.LogRecord("app", logging.WARNING, __file__, 1, "Hello %s", ("there",), None)
    line = json.loads(JSONLinesFormatter().format(record))
    assert line["message"] == "Hello there" and line["level"] == "WARNING"
