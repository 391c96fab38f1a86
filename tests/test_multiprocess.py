"""Several daphne processes on one Redis behave as one app."""

import asyncio
import json
import os
import re
import urllib.request
import uuid

import pytest
import websockets

from bench.servers import daphnes, database, participant_cookies
from tests.helpers import page_origin, reply_to_sender, run_async

pytestmark = pytest.mark.services


def open_prompt_id(port, cookie):
    """The first open question on the phone page, as a participant's browser sees it."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/w/SEND25/", headers={"Cookie": cookie}
    )
    page = urllib.request.urlopen(request, timeout=10).read().decode()
    return int(re.search(r'name="prompt" value="(\d+)"', page).group(1))


def test_a_post_through_one_process_reaches_a_phone_on_another(tmp_path):
    """Two daphne processes share Redis: a contribution sent to one is pushed by the other."""
    with (
        database() as url,
        daphnes(url, count=2, log_folder=tmp_path, REDIS_URL=os.environ["REDIS_URL"]) as (
            first,
            second,
        ),
    ):
        author, listener = participant_cookies(url, 2)
        prompt = open_prompt_id(first, author)
        text = f"Cross-process post {uuid.uuid4()}"
        assert run_async(post_and_listen(first, author, second, listener, prompt, text))


async def post_and_listen(author_port, author_cookie, listener_port, listener_cookie, prompt, text):
    async with (
        websockets.connect(
            f"ws://127.0.0.1:{listener_port}/ws/w/SEND25/",
            additional_headers={**page_origin(listener_port), "Cookie": listener_cookie},
        ) as listener,
        websockets.connect(
            f"ws://127.0.0.1:{author_port}/ws/w/SEND25/",
            additional_headers={**page_origin(author_port), "Cookie": author_cookie},
        ) as author,
    ):
        await author.send(
            json.dumps(
                {
                    "type": "contribute",
                    "prompt": prompt,
                    "text": text,
                    "client_id": str(uuid.uuid4()),
                }
            )
        )
        assert (await reply_to_sender(author))["type"] == "ack"
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await listener.recv())
                if any(text in op.get("html", "") for op in frame.get("events", [])):
                    return True
