"""Every live frame is numbered per workshop and audience, and a heartbeat repeats the last
number, so a page can tell when it missed one and when its socket has gone quiet."""

import asyncio
import json
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from live import broadcast, sockets
from participants import services
from tests.factories import ParticipantFactory, make_workshop
from tests.sockets import phone

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def numbers(workshop_id, audience, count):
    async def take():
        return [await broadcast.next_sequence_number(workshop_id, audience) for _ in range(count)]

    return async_to_sync(take)()


def test_numbers_run_on_per_workshop_and_audience():
    assert numbers(1, "participants", 3) == [1, 2, 3]
    assert numbers(1, "console", 2) == [1, 2]
    assert numbers(2, "participants", 1) == [1]
    assert numbers(1, "participants", 1) == [4]


def test_without_the_cache_a_message_goes_unnumbered(monkeypatch):
    async def broken(*args, **kwargs):
        raise ConnectionError("the cache went away")

    monkeypatch.setattr(broadcast.cache, "aadd", broken)
    assert numbers(1, "participants", 1) == [None]


def test_each_frame_says_its_last_number_and_how_many_it_holds(participant):
    prompt = participant.workshop.prompts.get(is_open=True)
    other = ParticipantFactory(workshop=participant.workshop)

    async def post(text):
        await sync_to_async(services.contribution_create)(
            participant=other, prompt=prompt, text=text, client_id=uuid.uuid4()
        )

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        await post("First")
        first = json.loads(await socket.receive_from(timeout=5))
        await post("Second")
        second = json.loads(await socket.receive_from(timeout=5))
        await socket.disconnect()
        return first, second

    first, second = async_to_sync(scenario)()
    assert (first["count"], second["count"]) == (1, 1)
    assert second["seq"] == first["seq"] + 1
    assert "Second" in second["events"][0]["html"]


def test_a_heartbeat_repeats_the_last_number(participant, monkeypatch):
    monkeypatch.setattr(sockets, "HEARTBEAT", 0.05)
    workshop = make_workshop()
    someone = ParticipantFactory(workshop=workshop)

    async def scenario():
        socket = phone(someone)
        await socket.connect()
        quiet = json.loads(await socket.receive_from(timeout=2))
        await broadcast.send(workshop.pk, {"participants": [broadcast.RESYNC]})
        frame = json.loads(await socket.receive_from(timeout=2))
        while "heartbeat" in frame:
            frame = json.loads(await socket.receive_from(timeout=2))
        beat = json.loads(await socket.receive_from(timeout=2))
        await socket.disconnect()
        await asyncio.sleep(0)
        return quiet, frame, beat

    quiet, frame, beat = async_to_sync(scenario)()
    assert quiet == {"heartbeat": True, "seq": 0, "events": []}
    assert frame["events"] == [broadcast.RESYNC]
    assert beat == {"heartbeat": True, "seq": frame["seq"], "events": []}


def test_a_new_room_starts_from_the_number_already_reached(participant, monkeypatch):
    """The first heartbeat of a room opened mid-workshop already says the last number, so a
    page that has seen no frame yet still notices a gap in the next one."""
    monkeypatch.setattr(sockets, "HEARTBEAT", 0.05)
    numbers(participant.workshop_id, "participants", 3)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        beat = json.loads(await socket.receive_from(timeout=2))
        await socket.disconnect()
        return beat

    assert async_to_sync(scenario)()["seq"] == 3
