import json
import math
import time
import uuid

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError

from live.addresses import scope_client_address
from live.sockets import CLOSE_FLOOD, CLOSE_NOT_ALLOWED, LiveConsumer
from participants import ratelimit, selectors, services, tokens
from participants.models import Contribution
from participants.renderers import PARTICIPANTS, participant_fragment, withdrawn_notice
from workshops.models import Prompt
from workshops.selectors import workshop_by_code

MAX_FRAME_BYTES = 4096
# More frames than this in FLOOD_SECONDS is not a person typing: the socket is closed.
FLOOD_FRAMES = 30
FLOOD_SECONDS = 10


class Refused(Exception):
    """A message we will not act on; its text goes back to the sender."""


def _finite(text):
    """A JSON number as a float, refusing 1e400, NaN and Infinity: json reads them as inf and
    nan, which no id or count can be and which int() turns into an OverflowError."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is not a finite number.")
    return number


class ParticipantConsumer(LiveConsumer):
    """A phone in a workshop: receives the feed, sends contributions and votes."""

    audience = PARTICIPANTS

    @property
    def owner(self):
        # Erasing the participant hangs up on their phones (renderers.erased_phones_hang_up).
        return self.participant.pk

    async def authorise(self):
        return await database_sync_to_async(self._authorise)()

    def _authorise(self):
        workshop = workshop_by_code(self.scope["url_route"]["kwargs"]["code"])
        if workshop is None:
            # A miss counts as a wrong code on the join page does, and closes as "not joined"
            # does, so the socket cannot tell which codes exist.
            ratelimit.wrong_join_code(scope_client_address(self.scope))
            return None, CLOSE_NOT_ALLOWED
        token = self.scope.get("cookies", {}).get(tokens.cookie_name(workshop))
        participant_id = tokens.read_token(token, workshop) if token else None
        self.participant = selectors.participant_get(
            workshop=workshop, participant_id=participant_id
        )
        if self.participant is None:
            return workshop.pk, CLOSE_NOT_ALLOWED
        return workshop.pk, None

    async def receive(self, text_data=None, bytes_data=None):
        if self._flooding():
            await self.close(code=CLOSE_FLOOD)
            return
        message = {}
        try:
            message = self._parse(text_data, bytes_data)
            handler = {
                "contribute": self.contribute,
                "vote": self.vote,
                "withdraw": self.withdraw,
                "undo_withdraw": self.undo_withdraw,
            }.get(message.get("type"))
            if handler is None:
                raise Refused("Unknown message type.")
            reply = await handler(message)
        except Refused as refusal:
            reply = {"type": "error", "message": str(refusal)}
        except ratelimit.RateLimited as refusal:
            reply = {"type": "error", "message": str(refusal)}
        except ValidationError as refusal:
            reply = {"type": "error", "message": " ".join(refusal.messages)}
        for key in ("client_id", "contribution"):
            if isinstance(message.get(key), str | int):
                reply.setdefault(key, message[key])
        await self.send(text_data=json.dumps(reply))

    def _flooding(self):
        now = time.monotonic()
        recent = [t for t in getattr(self, "_recent", []) if now - t < FLOOD_SECONDS]
        recent.append(now)
        self._recent = recent
        return len(recent) > FLOOD_FRAMES

    @staticmethod
    def _parse(text_data, bytes_data):
        if text_data is None:
            raise Refused("Please send text messages, not binary data.")
        if len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            raise Refused("That message is too long.")
        try:
            message = json.loads(text_data, parse_float=_finite, parse_constant=_finite)
        except (ValueError, RecursionError) as error:
            # RecursionError: JSON nested deeper than the parser's stack (say 4,000 "[").
            raise Refused("That message could not be read.") from error
        if not isinstance(message, dict):
            raise Refused("That message could not be read.")
        return message

    async def contribute(self, message):
        try:
            prompt_id = int(message["prompt"])
            client_id = uuid.UUID(str(message["client_id"]))
            text = message["text"]
        except (KeyError, TypeError, ValueError) as error:
            raise Refused("A post needs a question, some text and an id.") from error
        if not isinstance(text, str):
            raise Refused("A post needs some text.")
        return await database_sync_to_async(self._contribute)(prompt_id, text, client_id)

    def _contribute(self, prompt_id, text, client_id):
        prompt = (
            Prompt.objects.select_related("workshop")
            .filter(pk=prompt_id, workshop_id=self.workshop_id)
            .first()
        )
        if prompt is None:
            raise Refused("That question is not part of your workshop.")
        participant = self._participant_now()
        contribution, _ = services.contribution_create(
            participant=participant, prompt=prompt, text=text, client_id=client_id
        )
        return {
            "type": "ack",
            "id": contribution.pk,
            "prompt": contribution.prompt_id,
            "state": contribution.state,
            "html": participant_fragment(contribution, participant),
        }

    async def vote(self, message):
        try:
            contribution_id = int(message["contribution"])
            choice = str(message["choice"])
        except (KeyError, TypeError, ValueError) as error:
            raise Refused("A vote needs a post and a choice.") from error
        return await database_sync_to_async(self._vote)(contribution_id, choice)

    def _vote(self, contribution_id, choice):
        contribution = Contribution.objects.filter(pk=contribution_id).first()
        if contribution is None:
            raise Refused("That post no longer exists.")
        participant = self._participant_now()
        services.vote_cast(participant=participant, contribution=contribution, choice=choice)
        shown = selectors.feed_contribution(
            participant=participant, contribution_id=contribution_id
        )
        return {
            "type": "ack",
            "contribution": contribution_id,
            "choice": choice,
            "html": participant_fragment(shown, participant),
        }

    async def withdraw(self, message):
        contribution_id = self._contribution_id(message)
        return await database_sync_to_async(self._withdraw)(contribution_id)

    def _withdraw(self, contribution_id):
        contribution = Contribution.objects.filter(
            pk=contribution_id, workshop_id=self.workshop_id
        ).first()
        if contribution is None:
            raise Refused("That post no longer exists.")
        participant = self._participant_now()
        services.contribution_withdraw(participant=participant, contribution=contribution)
        return {
            "type": "ack",
            "action": "withdraw",
            "contribution": contribution_id,
            "html": withdrawn_notice(contribution),
        }

    async def undo_withdraw(self, message):
        contribution_id = self._contribution_id(message)
        return await database_sync_to_async(self._undo_withdraw)(contribution_id)

    def _undo_withdraw(self, contribution_id):
        participant = self._participant_now()
        contribution = services.contribution_withdraw_undo(
            participant=participant, contribution_id=contribution_id
        )
        return {
            "type": "ack",
            "action": "undo_withdraw",
            "contribution": contribution_id,
            "prompt": contribution.prompt_id,
            "html": participant_fragment(contribution, participant),
        }

    @staticmethod
    def _contribution_id(message):
        try:
            return int(message["contribution"])
        except (KeyError, TypeError, ValueError) as error:
            raise Refused("Please say which of your posts this is about.") from error

    def _participant_now(self):
        """The participant and their workshop as stored now, read afresh for every action: a
        socket outlives what connect() saw (the workshop may have closed since, or the
        participant been erased), and the services check the workshop's status on it."""
        participant = selectors.participant_get(
            workshop=self.workshop_id, participant_id=self.participant.pk
        )
        if participant is None:
            raise Refused("You are no longer part of this workshop, so you cannot post or vote.")
        return participant
