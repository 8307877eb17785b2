"""Twilio answering 429, 500, or taking the text and then hanging past the client's
timeout. The failure is on the outbox page while it lasts; the next sweeps end as a
fault-free run would: exactly one text accepted, the notification sent."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from escalations.models import Notification
from sellerdesk.devservers.standin import Fault, Response
from sellerdesk.devservers.twilio import TwilioStandIn
from tests.escalations.fixtures import ACCOUNT_SID, AUTH_TOKEN, twilio_settings
from tests.escalations.test_policy import sweep, unknown_mail

pytestmark = pytest.mark.django_db

# Two hours ago: Twilio's stand-in stamps a text it took late with the real clock, which
# must come after the moment the desk first tried (as it does in the world).
START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)

THROTTLED = Response(429, {"code": 20429, "message": "Too Many Requests"}, {"Retry-After": "1"})
FAULTS = {
    "429": (Fault(THROTTLED), "Twilio 429"),
    "500": (Fault(Response(500, {"code": 20500, "message": "Internal Error"})), "Twilio 500"),
    # Twilio takes the text only after the client gave up waiting for the answer.
    "hang, then accept": (Fault(delay=1.5), "did not answer in time"),
}


@pytest.mark.parametrize("name", FAULTS)
def test_twilio_fault_then_exactly_one_text(name, settings, assistant, admin_user, client):
    fault, told = FAULTS[name]
    with TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN) as twilio:
        for key, value in twilio_settings(twilio.base_url).items():
            setattr(settings, key, value)
        settings.TWILIO_TIMEOUT = 0.5
        twilio.fail_next(fault)
        with time_machine.travel(START, tick=False):
            unknown_mail()
            sweep()
        notification = Notification.objects.get()
        assert notification.state != Notification.State.SENT
        assert told in notification.error
        client.force_login(admin_user)
        assert told in client.get(reverse("outbox")).content.decode()

        if "accept" in name:  # the stand-in takes the text once its delay is over
            deadline = time.monotonic() + 10
            while not twilio.accepted and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(twilio.accepted) == 1
        for minutes in (1, 5, 15, 60):
            with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
                sweep()
        notification.refresh_from_db()
        assert notification.state == Notification.State.SENT
        assert len(twilio.accepted) == 1, "one text, however the first call ended"
        assert notification.provider_id == twilio.accepted[0]["sid"]
