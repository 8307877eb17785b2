"""The SMTP server refusing, timing out, and going away in the middle of a reply to a
buyer, then a retry with the server well again. The buyer's mail stays in the Inbox until
a server accepted the reply, the failure is on the conversation's page, and the retry
ends as a fault-free send would: one reply (by its Message-ID), the mail in Trash."""

import contextlib

import pytest
from django.urls import reverse

from buyers.models import Conversation, Reply
from buyers.replies import reply_deliver
from buyers.services import conversation_reply_send
from sellerdesk.devservers.tcpproxy import TcpProxy
from tests.buyers.test_queue import folder_subjects

pytestmark = pytest.mark.django_db

ORDER = "114-3941689-8772232"
BODY = (
    "Hello Jennifer, I checked with the carrier: it arrives on Tuesday.\n"
    + "Thank you for waiting. " * 600
)

FAULTS = {
    # name: (how to set it up, what the assistant is told, may the server have taken it?)
    "refused": ("451 4.3.0 Mail server temporarily busy", "answered 451", False),
    "timing out": ("hang", "Could not reach the mail server", True),
    "gone mid-send": ("cut", "Could not reach the mail server", False),
    "answer lost": ("lose", "Could not reach the mail server", True),
}


def point_smtp_at(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SELLER_EMAIL = "orders@seller.test"


@contextlib.contextmanager
def fault(name: str, smtp_server, settings):
    how = FAULTS[name][0]
    if how == "cut":
        with TcpProxy(smtp_server.port, cut_up_after=2000) as proxy:
            point_smtp_at(settings, proxy.port)
            yield
    elif how == "lose":
        with TcpProxy(smtp_server.port, lose_answer_to=rb"\r\n\.\r\n") as proxy:
            point_smtp_at(settings, proxy.port)
            yield
            assert proxy.answers_lost == 1
    elif how == "hang":
        settings.EMAIL_TIMEOUT = 1
        smtp_server.sink.hang = 2.5
        point_smtp_at(settings, smtp_server.port)
        yield
        smtp_server.sink.hang = 0
    else:
        smtp_server.sink.reply = how
        point_smtp_at(settings, smtp_server.port)
        yield
        smtp_server.sink.reply = None


@pytest.mark.parametrize("name", FAULTS)
def test_reply_through_a_failing_smtp_server_then_a_retry(
    name, samples, mailbox, settings, smtp_server, run_tasks_inline, assistant, client
):
    conversation = Conversation.objects.get(order_id=ORDER)
    subject = conversation.messages.get().message.subject
    with fault(name, smtp_server, settings), run_tasks_inline():
        reply = conversation_reply_send(conversation=conversation, body=BODY, by=assistant)
    told, maybe_taken = FAULTS[name][1], FAULTS[name][2]
    assert reply.state == Reply.State.FAILED
    assert told in reply.error
    conversation.refresh_from_db()
    assert conversation.state == "waiting"
    assert subject in folder_subjects(mailbox, "INBOX"), "the buyer's mail stays"
    client.force_login(assistant)
    page = client.get(reverse("buyer-conversation", args=[conversation.pk])).content.decode()
    assert told in page

    point_smtp_at(settings, smtp_server.port)
    with run_tasks_inline():
        reply = reply_deliver(reply=reply)
    assert reply.state == Reply.State.SENT and reply.attempts == 2
    conversation.refresh_from_db()
    assert conversation.state == "answered"
    assert subject not in folder_subjects(mailbox, "INBOX")
    assert subject in folder_subjects(mailbox, "Trash")
    received = smtp_server.received
    if maybe_taken:
        assert 1 <= len(received) <= 2
    else:
        assert len(received) == 1, "a send the server never took is sent once"
    # A send the server may have taken before it went silent is sent again under the same
    # Message-ID, so the receiving side sees one message.
    assert {r.message["Message-ID"] for r in received} == {reply.header_message_id}
    assert all(BODY.splitlines()[0] in r.message.get_content() for r in received)
