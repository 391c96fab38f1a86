from channels.db import database_sync_to_async

from facilitation.renderers import FACILITATORS, WALL
from live.sockets import CLOSE_NO_WORKSHOP, CLOSE_NOT_ALLOWED, LiveConsumer
from workshops.models import Workshop


class FacilitatorOnlyConsumer(LiveConsumer):
    """Listen-only sockets for staff pages; their actions go over HTTP to the services."""

    async def authorise(self):
        return await database_sync_to_async(self._authorise)()

    def _authorise(self):
        workshop_id = self.scope["url_route"]["kwargs"]["pk"]
        if not Workshop.objects.filter(pk=workshop_id).exists():
            return None, CLOSE_NO_WORKSHOP
        if not self.scope["user"].has_perm("workshops.facilitate"):
            return workshop_id, CLOSE_NOT_ALLOWED
        return workshop_id, None

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data='{"type": "error", "message": "This socket only listens."}')


class ConsoleConsumer(FacilitatorOnlyConsumer):
    audience = FACILITATORS


class WallConsumer(FacilitatorOnlyConsumer):
    audience = WALL
