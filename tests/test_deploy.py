"""Production settings come from the environment alone, and pass Django's deploy checks."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "SECRET_KEY": "x7Gq2-production-like-key-9fT3pL0vW8zR4mN6bY1cK5hJ2dS7aQ3eU",
    "HTTPS": "true",
    "ALLOWED_HOSTS": "workshops.example.org",
    "DEBUG": "false",
}


def check_deploy(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = check_deploy({**os.environ, **PRODUCTION})
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_the_built_in_secret_key():
    """On this machine's own names, the app starts, and the deploy check says what is wrong."""
    env = {**os.environ, "ALLOWED_HOSTS": "localhost"}
    env.pop("SECRET_KEY", None)
    env.pop("HTTPS", None)
    result = check_deploy(env)
    assert result.returncode != 0
    assert "common_ground.E001" in result.stdout + result.stderr


def starts(env):
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "production",
    [{"HTTPS": "true"}, {"ALLOWED_HOSTS": "workshops.example.org"}],
    ids=["behind TLS", "a public host name"],
)
@pytest.mark.parametrize(
    "key", [None, f"{socket.gethostname()}-secret-key"], ids=["built-in", "made from the host"]
)
def test_production_refuses_to_start_on_a_guessable_key(production, key):
    """Participants' tokens are signed with SECRET_KEY: a known or guessable one would let
    anyone forge them, so production will not start on one."""
    env = {**os.environ, **production}
    env.pop("SECRET_KEY", None)
    if key:
        env["SECRET_KEY"] = key
    result = starts(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a long random value in production" in result.stderr


def test_the_embedded_default_starts_on_the_built_in_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "HTTPS", "ALLOWED_HOSTS")}
    assert starts(env).returncode == 0


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
