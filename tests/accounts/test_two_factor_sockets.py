import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from live.sockets import CLOSE_NOT_ALLOWED
from tests.accounts.helpers import code_for, sign_in
from tests.helpers import new_client
from tests.sockets import communicator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_console_socket_waits_for_the_code_too(workshop, facilitator, device):
    """Past the password alone, the console's socket is refused as a stranger's would be;
    after the code it opens."""
    browser = new_client()
    sign_in(browser, facilitator)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    path = f"/ws/facilitate/{workshop.pk}/"

    async def refused():
        socket = communicator(path, cookie)
        await socket.connect()
        assert (await socket.receive_output())["code"] == CLOSE_NOT_ALLOWED

    async def accepted():
        socket = communicator(path, cookie)
        connected, _ = await socket.connect()
        assert connected
        await socket.disconnect()

    async_to_sync(refused)()
    browser.post(reverse("two_factor_verify"), {"code": code_for(device.key)})
    async_to_sync(accepted)()
