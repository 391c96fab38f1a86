"""Production settings come from the environment alone, and pass Django's deploy checks."""

import os
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
    env = {**os.environ, **PRODUCTION}
    del env["SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert "common_ground.E001" in result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
