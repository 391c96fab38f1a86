import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def device(facilitator):
    """The facilitator's authenticator app, set up and confirmed."""
    return TOTPDevice.objects.create(user=facilitator, name="Authenticator app", confirmed=True)
