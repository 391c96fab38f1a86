"""Small helpers shared by the view tests (no fixtures here: those live in conftest files)."""

import asyncio
import functools
import json
import uuid
from types import SimpleNamespace

from django import forms
from django.test import Client

from participants import ratelimit
from participants.models import Contribution, Vote
from pillars.forms import FrameworkForm, PillarFormSet, RecommendationFormSet
from synthesis import tallies
from tests.factories import ParticipantFactory, stakeholder_group

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def form_post_data(*forms_or_formsets):
    """The POST data a browser would send for these forms and formsets left as rendered.

    Tests change the one or two values they care about and send the rest unchanged.
    """
    data = {}
    for item in forms_or_formsets:
        if isinstance(item, forms.BaseFormSet):
            data.update(_fields_data(item.management_form))
            for form in item.forms:
                data.update(_fields_data(form))
        else:
            data.update(_fields_data(item))
    return data


def _fields_data(form):
    data = {}
    for bound_field in form:
        value = bound_field.value()
        if isinstance(bound_field.field, forms.BooleanField):
            # An unticked checkbox is simply absent from a real POST.
            if value:
                data[bound_field.html_name] = "on"
            continue
        data[bound_field.html_name] = "" if value is None else value
    return data


def framework_edit_data(framework):
    """The framework editor's form as rendered, ready to send back."""
    return form_post_data(
        FrameworkForm(instance=framework),
        PillarFormSet(instance=framework, prefix="pillars"),
        RecommendationFormSet(
            queryset=framework.recommendations(),
            prefix="recommendations",
            form_kwargs={"framework": framework},
        ),
    )


@functools.cache
def _handler():
    return Client().handler


def new_client():
    """A browser of its own that shares one WSGI handler with the others: building a handler
    loads the middleware, and WhiteNoise's scans every static file (~0.1 s each time)."""
    client = Client()
    client.handler = _handler()
    return client


def freeze_ratelimit_window(monkeypatch, now=1_800_000_000.0):
    """Pin the rate limiter's clock so a test cannot straddle two one-minute windows."""
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))


def is_fragment(response):
    """An htmx partial: markup without the page around it."""
    content = response.content.decode().lower()
    return "<html" not in content and "<!doctype" not in content and "<body" not in content


def populate(workshop, *, posts, voters_per_post=3, slugs=("pcf", "education", "health", "other")):
    """Fill a workshop with `posts` contributions spread over its prompts, groups and tables,
    each voted on by `voters_per_post` other participants. Bulk inserts keep it fast."""
    people = [
        ParticipantFactory(workshop=workshop, group=stakeholder_group(slug), table_number=n + 1)
        for n, slug in enumerate(slugs * 2)
    ]
    prompts = list(workshop.prompts.all())
    contributions = Contribution.objects.bulk_create(
        Contribution(
            workshop=workshop,
            participant=people[i % len(people)],
            prompt=prompts[i % len(prompts)],
            text=f"Bulk post {i}",
            client_id=uuid.uuid4(),
        )
        for i in range(posts)
    )
    choices = [Vote.Choice.AGREE, Vote.Choice.DISAGREE, Vote.Choice.PASS]
    votes = []
    for i, contribution in enumerate(contributions):
        others = [p for p in people if p.pk != contribution.participant_id]
        for j, voter in enumerate(others[:voters_per_post]):
            choice = choices[(i + j) % 3]
            votes.append(Vote(participant=voter, contribution=contribution, choice=choice))
    Vote.objects.bulk_create(votes)
    tallies.recount([contribution.pk for contribution in contributions])
    return contributions


def run_async(coroutine):
    """Run a coroutine to the end from a test, in a thread of its own.

    Playwright's sync API keeps an event loop running in the test thread once a browser test
    has run, and asyncio.run() refuses to start inside a running loop.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def reply_to_sender(socket, timeout=10):
    """The next frame on a `websockets` client socket addressed to its sender (an ack or an
    error), passing over live updates, which may arrive before it."""
    async with asyncio.timeout(timeout):
        while True:
            reply = json.loads(await socket.recv())
            if "events" not in reply:
                return reply


def page_origin(port):
    """The Origin header a browser sends for a page of the server on this local port."""
    return {"Origin": f"http://127.0.0.1:{port}"}
