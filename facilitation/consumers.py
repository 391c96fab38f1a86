from channels.db import database_sync_to_async

from accounts.permissions import Role, roles_of
from facilitation.renderers import FACILITATORS, WALL
from live.sockets import CLOSE_NO_WORKSHOP, CLOSE_NOT_ALLOWED, LiveConsumer
from workshops.models import Workshop
from workshops.permissions import workshops_for


class FacilitatorOnlyConsumer(LiveConsumer):
    """Listen-only sockets for staff pages; their actions go over HTTP to the services."""

    async def authorise(self):
        return await database_sync_to_async(self._authorise)()

    def _authorise(self):
        """Staff who facilitate nowhere are refused; to those who do, another
        organisation's workshop is as unknown as one that does not exist."""
        workshop_id = self.scope["url_route"]["kwargs"]["pk"]
        user = self.scope["user"]
        if not Workshop.objects.filter(pk=workshop_id).exists():
            return None, CLOSE_NO_WORKSHOP
        if Role.FACILITATOR not in roles_of(user):
            return workshop_id, CLOSE_NOT_ALLOWED
        if not workshops_for(user, Role.FACILITATOR).filter(pk=workshop_id).exists():
            return None, CLOSE_NO_WORKSHOP
        return workshop_id, None

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data='{"type": "error", "message": "This socket only listens."}')


class ConsoleConsumer(FacilitatorOnlyConsumer):
    audience = FACILITATORS


class WallConsumer(FacilitatorOnlyConsumer):
    audience = WALL
