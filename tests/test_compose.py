"""docker-compose.yml describes the production shape; no Docker engine is needed to check it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_has_every_part_of_the_production_shape():
    assert {"db", "redis", "web", "worker", "beat", "proxy", "migrate"} <= set(SERVICES)


def test_web_runs_daphne_behind_the_proxy_and_can_scale():
    web = SERVICES["web"]
    assert web["command"][:1] == ["daphne"] and "config.asgi:application" in web["command"]
    # daphne's --proxy-headers would believe the client-written left end of X-Forwarded-For;
    # the app reads the header itself, past the trusted proxies.
    assert "--proxy-headers" not in web["command"]
    assert web["environment"]["TRUSTED_PROXIES"]
    assert "ports" not in web, "only the proxy is published, so web can have replicas"
    assert web["deploy"]["replicas"] >= 2
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


def test_worker_and_beat_run_celery_on_the_project_app():
    assert SERVICES["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert SERVICES["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_app_services_share_postgres_and_redis_settings():
    for name in ("web", "worker", "beat", "migrate"):
        env = SERVICES[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env


def test_the_proxy_upgrades_websockets_and_serves_static_files():
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx")
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in config
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
    assert "location /static/" in config
    mounted = " ".join(proxy["volumes"])
    assert "deploy/nginx.conf" in mounted and "static:" in mounted


def test_the_image_installs_the_project_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "pip install" in dockerfile and "collectstatic" in dockerfile
