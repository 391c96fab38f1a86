import json
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from live.sockets import CLOSE_FLOOD, CLOSE_NOT_ALLOWED
from participants import tasks
from participants.consumers import FLOOD_FRAMES
from participants.models import Contribution, Participant, Vote
from participants.services import participant_erase
from tests.factories import ContributionFactory, ParticipantFactory, make_workshop
from tests.sockets import ask, communicator, events, participant_cookie, phone
from workshops.models import Workshop
from workshops.services import workshop_set_status

# Broadcasts are sent after commit, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run(scenario):
    async_to_sync(scenario)()


def open_prompt(workshop):
    return workshop.prompts.get(is_open=True)


def contribute_message(prompt, text="More speech and language therapists, please.", client_id=None):
    return {
        "type": "contribute",
        "prompt": prompt.pk,
        "text": text,
        "client_id": str(client_id or uuid.uuid4()),
    }


def test_a_phone_without_a_token_is_closed_with_4403(workshop):
    """Only a participant of this workshop may open its socket."""

    async def scenario():
        socket = communicator(f"/ws/w/{workshop.join_code}/")
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_output())["code"] == CLOSE_NOT_ALLOWED

    run(scenario)


def test_a_token_from_another_workshop_is_closed_with_4403(participant):
    """A participant token opens nothing in another workshop."""
    other = make_workshop()

    socket = communicator(f"/ws/w/{other.join_code}/", participant_cookie(participant))

    async def scenario():
        await socket.connect()
        assert (await socket.receive_output())["code"] == CLOSE_NOT_ALLOWED

    run(scenario)


def test_an_unknown_workshop_closes_as_not_joined_and_counts_as_a_wrong_code(
    client, workshop, settings, fixed_window
):
    """A code that names no workshop closes with 4403, as a real workshop not joined does, so
    the socket tells no one which codes exist; each miss counts against the address the join
    page counts."""
    settings.JOIN_ATTEMPTS_PER_MINUTE = 10

    async def closed_with(path):
        socket = communicator(path)
        await socket.connect()
        return (await socket.receive_output())["code"]

    async def scenario():
        assert await closed_with(f"/ws/w/{workshop.join_code}/") == CLOSE_NOT_ALLOWED
        for _ in range(10):
            assert await closed_with("/ws/w/ZZZZZZZ/") == CLOSE_NOT_ALLOWED

    run(scenario)
    assert client.post("/", {"code": "ZZZZZZZ"}).status_code == 429


def test_a_foreign_origin_is_refused(participant):
    """Sockets from pages on other sites are refused by the origin check."""

    async def scenario():
        socket = phone(participant)
        socket.scope["headers"] = [(b"origin", b"https://evil.example")] + [
            h for h in socket.scope["headers"] if h[0] != b"origin"
        ]
        connected, _ = await socket.connect()
        assert not connected

    run(scenario)


def test_contribute_saves_acknowledges_and_reaches_other_phones(participant):
    """A post over the socket is saved, acknowledged to its author, and pushed to others."""
    other = ParticipantFactory(workshop=participant.workshop)
    prompt = open_prompt(participant.workshop)

    async def scenario():
        author, listener = phone(participant), phone(other)
        await author.connect()
        await listener.connect()
        reply = await ask(author, contribute_message(prompt, "Early years need investment."))
        assert reply["type"] == "ack" and reply["state"] == "visible"
        assert "This is your post" in reply["html"]
        pushed = await events(listener)
        assert pushed[0]["op"] == "upsert"
        assert pushed[0]["into"] == f"feed-{prompt.pk}"
        assert "Early years need investment." in pushed[0]["html"]
        assert "Agree" in pushed[0]["html"]
        await author.disconnect()
        await listener.disconnect()

    run(scenario)
    assert Contribution.objects.get().text == "Early years need investment."


def test_a_retried_contribution_is_saved_once(participant):
    """Sending the same client id twice acknowledges the same post and saves one row."""
    prompt = open_prompt(participant.workshop)
    message = contribute_message(prompt, client_id=uuid.uuid4())

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        first = await ask(socket, message)
        second = await ask(socket, message)
        assert first["id"] == second["id"]
        await socket.disconnect()

    run(scenario)
    assert Contribution.objects.count() == 1


@pytest.mark.parametrize(
    "frame, expected",
    [
        ("not json", "could not be read"),
        ("[1, 2]", "could not be read"),
        (json.dumps({"type": "shout"}), "Unknown message type"),
        (json.dumps({"text": "no type"}), "Unknown message type"),
        (json.dumps({"type": "contribute", "text": "no prompt"}), "needs a question"),
        (
            json.dumps({"type": "contribute", "prompt": "x", "text": "t", "client_id": "1"}),
            "needs a question",
        ),
        (
            json.dumps(
                {"type": "contribute", "prompt": 1, "text": 5, "client_id": str(uuid.uuid4())}
            ),
            "needs some text",
        ),
        (json.dumps({"type": "vote", "choice": "agree"}), "needs a post"),
        (json.dumps({"type": "contribute", "text": "x" * 5000}), "too long"),
        # Nested deeper than the JSON parser's stack, within and beyond the frame limit.
        ("[" * 4000, "could not be read"),
        ("[" * 100000, "too long"),
        # Numbers that read as infinity or not-a-number, which no id can be.
        ('{"type": "vote", "contribution": 1e400, "choice": "agree"}', "could not be read"),
        ('{"type": "vote", "contribution": -Infinity, "choice": "agree"}', "could not be read"),
        ('{"type": "vote", "contribution": NaN, "choice": "agree"}', "could not be read"),
        ('{"type": "contribute", "prompt": 1e999, "text": "t", "client_id": 1}', "could not be"),
    ],
)
def test_bad_frames_get_an_error_and_save_nothing(participant, frame, expected):
    """Malformed frames are answered with an error; the socket stays open."""
    prompt = open_prompt(participant.workshop)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        reply = await ask(socket, frame)
        assert reply["type"] == "error" and expected in reply["message"]
        # Still open: a good message still works.
        good = await ask(socket, contribute_message(prompt))
        assert good["type"] == "ack"
        await socket.disconnect()

    run(scenario)
    assert Contribution.objects.count() == 1


def test_binary_frames_are_refused(participant):
    """Binary frames get an error frame back."""

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        await socket.send_to(bytes_data=b"\x00\x01")
        reply = json.loads(await socket.receive_from())
        assert reply["type"] == "error" and "text" in reply["message"]
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "Please write something"),
        ("   \n ", "Please write something"),
        ("x" * 1001, "1,000 characters"),
        ("nul\x00byte", "cannot store"),
    ],
)
def test_invalid_text_is_refused_with_the_reason(participant, text, expected):
    """Empty, blank, over-long or unstorable text is refused and echoes the client id."""
    message = contribute_message(open_prompt(participant.workshop), text)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        reply = await ask(socket, message)
        assert reply["type"] == "error" and expected in reply["message"]
        assert reply["client_id"] == message["client_id"]
        await socket.disconnect()

    run(scenario)
    assert not Contribution.objects.exists()


def test_closed_prompt_and_other_workshops_prompt_are_refused(participant):
    """A closed question, or one from another workshop, takes no post over the socket."""
    workshop = participant.workshop
    closed = workshop.prompts.filter(is_open=False).first()
    elsewhere = open_prompt(make_workshop())

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        reply = await ask(socket, contribute_message(closed))
        assert reply["type"] == "error" and "closed" in reply["message"]
        reply = await ask(socket, contribute_message(elsewhere))
        assert reply["type"] == "error" and "not part of your workshop" in reply["message"]
        await socket.disconnect()

    run(scenario)
    assert not Contribution.objects.exists()


def test_contribution_rate_limit_answers_politely(participant, settings):
    """Past the per-minute limit, a post is refused with a polite message."""
    settings.CONTRIBUTIONS_PER_MINUTE = 2
    prompt = open_prompt(participant.workshop)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        for _ in range(2):
            assert (await ask(socket, contribute_message(prompt)))["type"] == "ack"
        reply = await ask(socket, contribute_message(prompt))
        assert reply["type"] == "error" and "wait a moment" in reply["message"]
        await socket.disconnect()

    run(scenario)
    assert Contribution.objects.count() == 2


def test_premoderated_posts_wait_and_reach_no_other_phone(participant):
    """With pre-moderation, the author hears it is waiting; other phones get nothing."""
    workshop = participant.workshop
    workshop.premoderation = True
    workshop.save()
    other = ParticipantFactory(workshop=workshop)
    message = contribute_message(open_prompt(workshop))

    async def scenario():
        author, listener = phone(participant), phone(other)
        await author.connect()
        await listener.connect()
        reply = await ask(author, message)
        assert reply["state"] == "pending"
        assert "waiting for the facilitator" in reply["html"]
        assert (await events(listener))[0]["op"] == "remove"
        await author.disconnect()
        await listener.disconnect()

    run(scenario)


def test_vote_over_the_socket_is_saved_and_changeable(participant):
    """Votes are acknowledged with the re-rendered post; a second vote changes the first."""
    contribution = ContributionFactory(
        workshop=participant.workshop, participant__workshop=participant.workshop
    )

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        reply = await ask(
            socket, {"type": "vote", "contribution": contribution.pk, "choice": "agree"}
        )
        assert reply["type"] == "ack" and 'value="agree" aria-pressed="true"' in reply["html"]
        reply = await ask(
            socket, {"type": "vote", "contribution": contribution.pk, "choice": "pass"}
        )
        assert reply["type"] == "ack"
        await socket.disconnect()

    run(scenario)
    assert Vote.objects.get().choice == "pass"


@pytest.mark.parametrize("case", ["own", "other_workshop", "bad_choice", "missing", "hidden"])
def test_refused_votes_get_an_error_and_save_nothing(participant, case):
    """Own posts, other workshops' posts, hidden posts and bad choices take no vote."""
    workshop = participant.workshop
    target = {
        "own": lambda: ContributionFactory(participant=participant),
        "other_workshop": lambda: ContributionFactory(),
        "bad_choice": lambda: ContributionFactory(participant__workshop=workshop),
        "missing": lambda: None,
        "hidden": lambda: ContributionFactory(participant__workshop=workshop, state="hidden"),
    }[case]()
    choice = "maybe" if case == "bad_choice" else "agree"

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        reply = await ask(
            socket,
            {"type": "vote", "contribution": target.pk if target else 999999, "choice": choice},
        )
        assert reply["type"] == "error" and reply["message"]
        await socket.disconnect()

    run(scenario)
    assert not Vote.objects.exists()


def test_a_flood_closes_the_socket(participant):
    """More frames than any person could send closes the socket with 4429."""

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        for _ in range(FLOOD_FRAMES + 1):
            await socket.send_to(text_data="{}")
        while True:
            output = await socket.receive_output(timeout=2)
            if output["type"] == "websocket.close":
                assert output["code"] == CLOSE_FLOOD
                break

    run(scenario)


def close_workshop(workshop):
    return sync_to_async(workshop_set_status)(workshop=workshop, status=Workshop.Status.CLOSED)


def test_votes_on_a_socket_opened_before_the_workshop_closed_are_refused(participant):
    """A phone connected while the workshop was live casts no vote once it has closed: each
    of five votes gets a polite error frame, and none is stored."""
    workshop = participant.workshop
    posts = ContributionFactory.create_batch(5, participant__workshop=workshop)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        await close_workshop(workshop)
        for post in posts:
            reply = await ask(socket, {"type": "vote", "contribution": post.pk, "choice": "agree"})
            assert reply == {
                "type": "error",
                "message": "Voting has closed for this workshop.",
                "contribution": post.pk,
            }
        await socket.disconnect()

    run(scenario)
    assert not Vote.objects.exists()


def test_closing_the_workshop_makes_every_phone_read_only_at_once(participant):
    """Closing replaces each phone's feed with the notice that the workshop takes no more
    posts: no question, post form or vote button is left to press."""
    ContributionFactory(participant__workshop=participant.workshop)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        await close_workshop(participant.workshop)
        operations = await events(socket)
        await socket.disconnect()
        return operations

    operations = async_to_sync(scenario)()
    replace = next(op for op in operations if op["op"] == "replace")
    assert replace["id"] == "phone-feed"
    assert replace["html"].startswith('<div id="phone-feed">')
    assert "This workshop is not taking posts right now." in replace["html"]
    assert "<form" not in replace["html"] and "<textarea" not in replace["html"]


def test_erasing_a_participant_closes_their_sockets_with_4403(participant):
    """Every socket of an erased participant is closed as not allowed; other phones in the
    workshop stay open and can still post."""
    other = ParticipantFactory(workshop=participant.workshop)
    prompt = open_prompt(participant.workshop)

    async def scenario():
        erased_phones = [phone(participant), phone(participant)]
        other_phone = phone(other)
        for socket in (*erased_phones, other_phone):
            assert (await socket.connect())[0]
        await sync_to_async(participant_erase)(participant=participant, by=None)
        for socket in erased_phones:
            assert await close_code(socket) == CLOSE_NOT_ALLOWED
        assert (await ask(other_phone, contribute_message(prompt)))["type"] == "ack"
        await other_phone.disconnect()

    run(scenario)


async def close_code(socket):
    """The code the socket is closed with, past any live updates sent before."""
    while True:
        output = await socket.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output["code"]


def test_an_erased_participants_socket_gets_a_polite_error_for_a_vote(participant):
    """A vote from a socket whose participant is gone is answered with an error frame (not a
    database error closing the socket with 1011), and nothing is stored."""
    post = ContributionFactory(participant__workshop=participant.workshop)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        # Deleted without the erase service, so nothing hangs up on the socket first.
        await sync_to_async(Participant.objects.filter(pk=participant.pk).delete)()
        reply = await ask(socket, {"type": "vote", "contribution": post.pk, "choice": "agree"})
        assert reply["type"] == "error"
        assert reply["message"] == (
            "You are no longer part of this workshop, so you cannot post or vote."
        )
        await socket.disconnect()

    run(scenario)
    assert not Vote.objects.exists()


def test_one_participant_holds_at_most_five_sockets_in_a_process(participant):
    """A few tabs are a phone; hundreds of sockets for one person are a script: the sixth
    closes with 4429, the five stay open, and someone else still gets in."""
    sockets = [phone(participant) for _ in range(6)]
    someone_else = phone(ParticipantFactory(workshop=participant.workshop))

    async def scenario():
        for socket in sockets[:5]:
            assert (await socket.connect())[0]
        await sockets[5].connect()
        assert (await sockets[5].receive_output())["code"] == CLOSE_FLOOD
        for socket in sockets[:5]:
            assert await socket.receive_nothing(timeout=0.05)
        assert (await someone_else.connect())[0]
        assert await someone_else.receive_nothing(timeout=0.05)
        for socket in [*sockets[:5], someone_else]:
            await socket.disconnect()

    run(scenario)


def test_a_post_just_over_the_limit_is_refused_politely_with_its_id(participant):
    """Over the socket, one character too many: the service's reason, the client id echoed
    (so the phone puts the words back in the box), nothing saved in part."""
    message = contribute_message(open_prompt(participant.workshop), text="x" * 1001)

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        reply = await ask(socket, message)
        await socket.disconnect()
        return reply

    reply = async_to_sync(scenario)()
    assert reply["type"] == "error"
    assert reply["message"] == "Please keep it to 1,000 characters or fewer (you have 1,001)."
    assert reply["client_id"] == str(message["client_id"])
    assert not Contribution.objects.exists()


def test_withdraw_and_undo_over_the_socket(participant, monkeypatch):
    """Withdrawn, the post leaves the other phones and its author gets "Post withdrawn" with
    its Undo; undone, it comes back to everyone, and to its author as their own."""
    monkeypatch.setattr(tasks.delete_withdrawn_contribution, "apply_async", lambda *a, **k: None)
    post = ContributionFactory(participant=participant, text="Second thoughts")
    reader = ParticipantFactory(workshop=participant.workshop)

    async def scenario():
        mine, theirs = phone(participant), phone(reader)
        await mine.connect()
        await theirs.connect()
        gone = await ask(mine, {"type": "withdraw", "contribution": post.pk})
        assert gone["type"] == "ack" and gone["action"] == "withdraw"
        assert "Post withdrawn." in gone["html"] and "Undo" in gone["html"]
        assert await events(theirs) == [{"op": "remove", "id": f"contribution-{post.pk}"}]
        back = await ask(mine, {"type": "undo_withdraw", "contribution": post.pk})
        assert back["type"] == "ack" and back["prompt"] == post.prompt_id
        assert "mine" in back["html"] and "Second thoughts" in back["html"]
        (shown,) = await events(theirs)
        assert shown["op"] == "upsert" and "Second thoughts" in shown["html"]
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)
    assert Contribution.objects.get(pk=post.pk).state == "visible"


@pytest.mark.parametrize(
    "message, expected",
    [
        ({"type": "withdraw"}, "which of your posts"),
        ({"type": "withdraw", "contribution": "abc"}, "which of your posts"),
        ({"type": "withdraw", "contribution": None}, "which of your posts"),
        ({"type": "withdraw", "contribution": 999999}, "no longer exists"),
        ({"type": "withdraw", "contribution": "theirs"}, "only withdraw your own"),
        ({"type": "undo_withdraw"}, "which of your posts"),
        ({"type": "undo_withdraw", "contribution": [1]}, "which of your posts"),
        ({"type": "undo_withdraw", "contribution": 999999}, "too late to undo"),
        ({"type": "undo_withdraw", "contribution": "mine"}, "too late to undo"),
    ],
)
def test_bad_withdraw_and_undo_frames_get_a_polite_error(participant, message, expected):
    mine = ContributionFactory(participant=participant)
    theirs = ContributionFactory(participant__workshop=participant.workshop)
    frame = {**message}
    if frame.get("contribution") in ("theirs", "mine"):
        frame["contribution"] = {"theirs": theirs, "mine": mine}[frame["contribution"]].pk

    async def scenario():
        socket = phone(participant)
        await socket.connect()
        reply = await ask(socket, frame)
        await socket.disconnect()
        return reply

    reply = async_to_sync(scenario)()
    assert reply["type"] == "error" and expected in reply["message"]
    assert set(Contribution.objects.values_list("state", flat=True)) == {"visible"}
