import asyncio
import json
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from facilitation.renderers import TALLY_INTERVAL
from live import sockets
from live.sockets import CLOSE_NO_WORKSHOP, CLOSE_NOT_ALLOWED
from participants import services as participant_services
from participants.models import StakeholderGroup
from tests.factories import ContributionFactory, ParticipantFactory, UserFactory
from tests.sockets import ask, communicator, console, events, participant_cookie, phone, wall
from workshops import services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run(scenario):
    async_to_sync(scenario)()


@pytest.mark.parametrize("open_socket", [console, wall])
@pytest.mark.parametrize("role", [None, "analyst"])
def test_staff_sockets_refuse_anyone_but_facilitators(workshop, open_socket, role):
    """The console and wall sockets close with 4403 for analysts and anonymous visitors."""
    user = UserFactory(roles=[role]) if role else None
    socket = open_socket(workshop, user) if user else communicator(f"/ws/facilitate/{workshop.pk}/")

    async def scenario():
        await socket.connect()
        assert (await socket.receive_output())["code"] == CLOSE_NOT_ALLOWED

    run(scenario)


def test_a_participant_cannot_open_the_console_socket(participant):
    """A participant's cookie opens no staff socket."""
    socket = communicator(
        f"/ws/facilitate/{participant.workshop_id}/", participant_cookie(participant)
    )

    async def scenario():
        await socket.connect()
        assert (await socket.receive_output())["code"] == CLOSE_NOT_ALLOWED

    run(scenario)


def test_unknown_workshop_closes_with_4404(facilitator, workshop):
    socket = console(workshop, facilitator)
    socket.scope["path"] = socket.scope["path"].replace(str(workshop.pk), "999999")

    async def scenario():
        await socket.connect()
        assert (await socket.receive_output())["code"] == CLOSE_NO_WORKSHOP

    run(scenario)


def test_staff_sockets_only_listen(workshop, facilitator):
    """Anything sent on the console socket gets an error frame; nothing happens."""
    socket = console(workshop, facilitator)

    async def scenario():
        await socket.connect()
        reply = await ask(socket, {"type": "contribute"})
        assert reply["type"] == "error"
        await socket.disconnect()

    run(scenario)


def test_console_and_wall_see_a_new_post_and_the_wall_loses_it_when_hidden(
    participant, facilitator
):
    """Posts reach the console and wall live; hiding one removes it from wall and phones."""
    workshop = participant.workshop
    prompt = workshop.prompts.get(is_open=True)
    listener = ParticipantFactory(workshop=workshop)
    desk, screen = console(workshop, facilitator), wall(workshop, facilitator)
    phone_socket = phone(listener)

    async def scenario():
        for socket in (desk, screen, phone_socket):
            assert (await socket.connect())[0]
        contribution, _ = await sync_to_async(participant_services.contribution_create)(
            participant=participant,
            prompt=prompt,
            text="Joint working <b>now</b>",
            client_id=uuid.uuid4(),
        )
        desk_ops = await events(desk)
        assert desk_ops[0]["into"] == "console-feed"
        assert "Joint working &lt;b&gt;now&lt;/b&gt;" in desk_ops[0]["html"]
        assert (await events(screen))[0]["id"] == f"wall-contribution-{contribution.pk}"
        assert (await events(phone_socket))[0]["op"] == "upsert"
        await sync_to_async(participant_services.contribution_set_state)(
            contribution=contribution, state="hidden"
        )
        assert (await events(screen)) == [
            {"op": "remove", "id": f"wall-contribution-{contribution.pk}"}
        ]
        assert (await events(phone_socket))[0]["op"] == "remove"
        assert "Hidden" in (await events(desk))[0]["html"]
        for socket in (desk, screen, phone_socket):
            await socket.disconnect()

    run(scenario)


def test_pending_posts_go_to_the_console_queue(participant, facilitator):
    workshop = participant.workshop
    workshop.premoderation = True
    workshop.save()
    prompt = workshop.prompts.get(is_open=True)
    desk = console(workshop, facilitator)

    async def scenario():
        await desk.connect()
        await sync_to_async(participant_services.contribution_create)(
            participant=participant, prompt=prompt, text="Hold me", client_id=uuid.uuid4()
        )
        assert (await events(desk))[0]["into"] == "console-queue"
        await desk.disconnect()

    run(scenario)


def test_opening_a_prompt_makes_every_page_resync(workshop, facilitator, participant):
    """Phones and the wall follow prompts opening and closing by re-syncing."""
    prompt = workshop.prompts.filter(is_open=False).first()
    screen, phone_socket = wall(workshop, facilitator), phone(participant)

    async def scenario():
        await screen.connect()
        await phone_socket.connect()
        await sync_to_async(services.prompt_set_open)(prompt=prompt, is_open=True)
        assert await events(screen) == [{"op": "resync"}]
        assert await events(phone_socket) == [{"op": "resync"}]
        await screen.disconnect()
        await phone_socket.disconnect()

    run(scenario)


def test_vote_tallies_are_coalesced(participant, facilitator):
    """A burst of votes reaches the console as at most one update per interval."""
    workshop = participant.workshop
    contributions = [ContributionFactory(participant__workshop=workshop) for _ in range(3)]
    voters = [ParticipantFactory(workshop=workshop) for _ in range(5)]
    desk = console(workshop, facilitator)

    async def scenario():
        await desk.connect()
        for voter in voters:
            for contribution in contributions:
                await sync_to_async(participant_services.vote_cast)(
                    participant=voter, contribution=contribution, choice="agree"
                )
        first = await events(desk)
        assert [op["op"] for op in first] == ["replace"]
        await asyncio.sleep(TALLY_INTERVAL + 0.2)
        frames = [first]
        while not await desk.receive_nothing(timeout=0.1):
            frames.append(json.loads(await desk.receive_from())["events"])
        # One leading update and one trailing one, not fifteen.
        assert len(frames) == 2
        ids = {op["id"] for op in frames[-1]}
        assert ids == {f"tallies-{c.pk}" for c in contributions}
        assert "<td>5</td>" in frames[-1][0]["html"]
        await desk.disconnect()

    run(scenario)


def test_frames_to_one_socket_are_batched_in_a_burst(participant, facilitator, monkeypatch):
    """Several changes within the batch window arrive together in one frame.

    The window is widened for the test so that three posts saved one after another fit in it
    on a busy machine too; the rule (the first frame at once, the rest together) is the same.
    """
    monkeypatch.setattr(sockets, "BATCH_WINDOW", 1.0)
    workshop = participant.workshop
    prompt = workshop.prompts.get(is_open=True)
    screen = wall(workshop, facilitator)

    async def scenario():
        await screen.connect()
        for n in range(4):
            await sync_to_async(participant_services.contribution_create)(
                participant=participant, prompt=prompt, text=f"Post {n}", client_id=uuid.uuid4()
            )
        first = await events(screen)
        second = await events(screen)
        assert len(first) == 1 and len(second) == 3
        await screen.disconnect()

    run(scenario)


def test_each_join_updates_the_consoles_count_and_a_spike_is_flagged(
    workshop, facilitator, settings
):
    """The console counts who joined as they join; a minute with JOIN_SPIKE_PER_MINUTE joins
    warns that someone may be joining again and again."""
    settings.JOIN_SPIKE_PER_MINUTE = 3
    desk = console(workshop, facilitator)
    group = StakeholderGroup.objects.get(slug="pcf")

    def join():
        participant_services.participant_join(workshop=workshop, group=group, consent=True)

    async def scenario():
        await desk.connect()
        seen = []
        for _ in range(3):
            await sync_to_async(join)()
            seen += await events(desk)
        assert [op["id"] for op in seen] == ["console-people"] * 3
        assert "2 people have joined" in seen[1]["html"] and "warning" not in seen[1]["html"]
        assert "3 people joined in the last minute." in seen[2]["html"]
        await desk.disconnect()

    run(scenario)
