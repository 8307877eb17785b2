"""Every action of the assistant acts once: the same form posted twice at the same moment (a
double click), or again later (a retry, a reload), sends one reply, one holding reply, opens
one escalation and texts the owner once. Real HTTP to the desk served in a thread, two
requests racing; Dovecot for the buyer's mail, the SMTP fixture, Twilio's stand-in."""

import re
import threading

import pytest
import requests

from buyers.models import Conversation, Reply
from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation
from inbox.sync import mailbox_sync
from tests.inbox.conftest import load_samples

pytestmark = pytest.mark.django_db(transaction=True)
ORDER = "114-3941689-8772232"  # Jennifer Walsh's


@pytest.fixture
def desk(live_server, assistant, mailbox, desk_mailbox, seed_rules, seed_reply_templates,
         smtp, twilio, settings):  # fmt: skip
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": True}
    session = requests.Session()
    login = session.get(f"{live_server.url}/login/")
    session.post(
        f"{live_server.url}/login/",
        data={"username": assistant.email, "password": "pass-for-tests-9",
              "csrfmiddlewaretoken": _field(login.text, "csrfmiddlewaretoken")},
        headers={"Referer": f"{live_server.url}/login/"},
    )  # fmt: skip
    conversation = Conversation.objects.get(order_id=ORDER)
    return session, f"{live_server.url}/buyers/{conversation.pk}/", conversation


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html)[1]


def twice_at_once(session, url: str, data: dict) -> list[int]:
    """Post `data` to `url` from two threads released together."""
    start, codes = threading.Barrier(2), []

    def post():
        start.wait()
        response = session.post(url, data=data, headers={"Referer": url}, allow_redirects=False)
        codes.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return codes


def form_of(session, url: str) -> dict:
    page = session.get(url).text
    return {
        "csrfmiddlewaretoken": _field(page, "csrfmiddlewaretoken"),
        "once": _field(page, "once"),
    }


def test_send_twice_at_once_and_again_sends_one_reply(desk, smtp):
    session, url, conversation = desk
    data = {**form_of(session, url), "action": "send", "body": "Hello Jennifer, it is on its way."}
    codes = twice_at_once(session, url + "send/", data)
    assert sorted(codes) == [302, 302]
    again = session.post(url + "send/", data=data, headers={"Referer": url})  # a reload
    assert "nothing more was done" in again.text
    assert len(smtp.received) == 1
    assert Reply.objects.filter(conversation=conversation).count() == 1


def test_ask_owner_twice_at_once_sends_one_holding_reply_and_one_text(desk, smtp, twilio):
    session, url, conversation = desk
    ask = session.post(
        url + "send/",
        data={**form_of(session, url), "action": "ask_owner", "body": ""},
        headers={"Referer": url},
    )
    summary_form = {
        "csrfmiddlewaretoken": _field(ask.text, "csrfmiddlewaretoken"),
        "once": _field(ask.text, "once"),
        "action": "ask_owner",
        "summary": "Jennifer cannot find the parcel; refund or resend?",
    }
    twice_at_once(session, url + "send/", summary_form)
    notify_due()
    deliver_due()
    assert len(smtp.received) == 1  # the holding reply
    assert Reply.objects.filter(conversation=conversation, kind="holding").count() == 1
    assert Escalation.objects.filter(conversation=conversation).count() == 1
    assert len(twilio.accepted) == 1


def test_send_for_approval_twice_at_once_opens_one_escalation_and_one_text(desk, smtp, twilio):
    session, url, conversation = desk
    data = {**form_of(session, url), "action": "approval", "body": "Hello Jennifer, a refund."}
    twice_at_once(session, url + "send/", data)
    notify_due()
    deliver_due()
    assert Escalation.objects.filter(conversation=conversation, about="draft").count() == 1
    assert len(twilio.accepted) == 1
    assert not smtp.received
