"""Tests for `seed_demo --url` (`make run` prints the address it really serves) and for
demo mode, which seed_demo needs."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from demo import seed as demo

pytestmark = pytest.mark.django_db


def test_the_url_option_is_the_address_printed():
    out = StringIO()
    call_command("seed_demo", "--url", "http://0.0.0.0:9000/", stdout=out)
    assert "Open http://0.0.0.0:9000/" in out.getvalue()
    assert demo.URL not in out.getvalue()


def test_without_the_option_the_local_address_is_printed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert f"Open {demo.URL}" in out.getvalue()
    assert demo.URL == "http://127.0.0.1:8000/"


def test_closing_lines_name_the_address_given():
    assert demo.closing_lines("http://example.test:8080/")[0] == "Open http://example.test:8080/"
    assert demo.closing_lines()[0] == f"Open {demo.URL}"


def test_seed_demo_refuses_outside_demo_mode(settings):
    """Its logins' passwords are published: a real instance never gets them."""
    settings.DEMO = False
    with pytest.raises(CommandError, match="DEMO=true"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()
