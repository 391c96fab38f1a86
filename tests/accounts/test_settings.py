"""Mail, the site's address and two-step sign-in are configured from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json, config.settings as s; print(json.dumps({name: getattr(s, name, None) for name "
    "in ['EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD',"
    " 'EMAIL_USE_TLS', 'DEFAULT_FROM_EMAIL', 'SITE_URL', 'STAFF_2FA_REQUIRED']}))"
)
OURS = ("EMAIL_URL", "DEFAULT_FROM_EMAIL", "SITE_URL", "STAFF_2FA_REQUIRED")


def load_settings(**variables):
    env = {k: v for k, v in os.environ.items() if k not in OURS} | variables
    return subprocess.run(
        [sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_by_default_mail_is_printed_to_the_console():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert settings["DEFAULT_FROM_EMAIL"] == "Common Ground <noreply@localhost>"
    assert settings["SITE_URL"] == "http://127.0.0.1:8000"
    assert settings["STAFF_2FA_REQUIRED"] is False


def test_email_url_chooses_the_mail_server():
    result = load_settings(
        EMAIL_URL="smtp+tls://mailer%40example.org:s%3Acret@smtp.example.org:587",
        DEFAULT_FROM_EMAIL="Workshops <workshops@example.org>",
        SITE_URL="https://workshops.example.org",
        STAFF_2FA_REQUIRED="true",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@example.org",
        "EMAIL_HOST_PASSWORD": "s:cret",
        "EMAIL_USE_TLS": True,
        "DEFAULT_FROM_EMAIL": "Workshops <workshops@example.org>",
        "SITE_URL": "https://workshops.example.org",
        "STAFF_2FA_REQUIRED": True,
    }


def test_a_bad_email_url_stops_the_start_with_an_example_and_no_password():
    for url in ("smtp://mailer:s3cret@smtp.example.org:port", "carrier-pigeon://s3cret@loft"):
        result = load_settings(EMAIL_URL=url)
        assert result.returncode != 0
        assert "EMAIL_URL could not be read" in result.stderr
        assert "smtp+tls://user:password@smtp.example.org:587" in result.stderr
        assert "s3cret" not in result.stderr
