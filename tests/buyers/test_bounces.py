"""A reply that bounces: the relay's server takes it, then a delivery status notification
comes back into the mailbox. Through Dovecot (the report arrives as mail does), the SMTP
fixture (the reply) and Twilio's stand-in (nothing is texted about it)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from buyers.models import BuyerMessage, Conversation, Reply
from buyers.services import conversation_reply_send
from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation
from inbox.models import MailAction, Message
from inbox.sync import mailbox_sync
from tests.inbox.conftest import load_samples
from tests.inbox.test_corpus import corpus

pytestmark = pytest.mark.django_db
ORDER = "114-3941689-8772232"  # Jennifer Walsh's


@pytest.fixture
def replied(mailbox, desk_mailbox, seed_rules, smtp, twilio, assistant, run_tasks_inline):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    conversation = Conversation.objects.get(order_id=ORDER)
    with run_tasks_inline():
        reply = conversation_reply_send(
            conversation=conversation, body="Hello Jennifer, the parcel left today.", by=assistant
        )
    assert reply.state == Reply.State.SENT and len(smtp.received) == 1
    mailbox_sync(mailbox=desk_mailbox)  # the buyer's mail goes to Trash
    conversation.refresh_from_db()
    assert conversation.state == "answered"
    return reply


def report_for(reply: Reply, name: str) -> bytes:
    """A real report's shape, naming the reply the desk sent."""
    raw = corpus(name)
    for placeholder in (b"<170000000001.1.1@seller.test>", b"<170000000002.1.1@seller.test>"):
        raw = raw.replace(placeholder, reply.header_message_id.encode())
    return raw


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("dsn-returned-message.eml", "550 5.1.1 Requested action not taken: mailbox unavailable"),
        ("dsn-returned-headers.eml", "552 5.2.2 mailbox full"),
    ],
)
def test_a_bounce_reopens_the_conversation_and_texts_no_one(
    client, mailbox, desk_mailbox, replied, twilio, assistant, name, reason, run_tasks_inline
):
    mailbox.append("INBOX", report_for(replied, name))
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    notify_due()
    deliver_due()

    replied.refresh_from_db()
    assert replied.state == Reply.State.BOUNCED
    assert replied.error == f"Returned undelivered: {reason}"
    report = Message.objects.get(pk=replied.returned_by_id)
    assert report.kind == "keep" and "came back" in report.rule_name
    assert not Escalation.objects.filter(mail=report).exists()
    assert twilio.accepted == []  # nothing texted about the bounce

    conversation = Conversation.objects.get(order_id=ORDER)
    assert conversation.state == "waiting" and conversation.due_at < timezone.now()
    [message] = BuyerMessage.objects.filter(conversation=conversation)
    assert message.answered_at is None
    restore = MailAction.objects.get(message=message.message, kind="restore")
    assert "came back" in restore.reason
    mailbox_sync(mailbox=desk_mailbox)  # the buyer's mail is back in the Inbox
    message.message.refresh_from_db()
    assert message.message.folder.role == "inbox"

    client.force_login(assistant)
    queue = client.get(reverse("buyer-queue")).content.decode()
    assert queue.index("Jennifer Walsh") < min(
        queue.index(c.buyer_name)
        for c in Conversation.objects.exclude(pk=conversation.pk)
        if c.state == "waiting"
    )
    page = client.get(reverse("buyer-conversation", args=[conversation.pk])).content.decode()
    assert f"Returned undelivered: {reason}" in page
    assert reverse("mail-detail", args=[report.pk]) in page


def test_a_report_about_mail_the_desk_never_sent_goes_to_the_owner(
    mailbox, desk_mailbox, replied, twilio
):
    mailbox.append("INBOX", corpus("dsn-returned-message.eml"))  # names another Message-ID
    mailbox_sync(mailbox=desk_mailbox)
    notify_due()
    deliver_due()
    replied.refresh_from_db()
    assert replied.state == Reply.State.SENT
    [escalation] = Escalation.objects.filter(mail__subject="Undelivered Mail Returned to Sender")
    assert escalation.state == "open"


def test_a_bounce_arriving_twice_settles_the_reply_once(mailbox, desk_mailbox, replied):
    raw = report_for(replied, "dsn-returned-message.eml")
    mailbox.append("INBOX", raw)
    mailbox.append("Spam", raw.replace(b"<20261207100012", b"<again-20261207100012"))
    mailbox_sync(mailbox=desk_mailbox)
    replied.refresh_from_db()
    assert replied.state == Reply.State.BOUNCED
    assert not Escalation.objects.filter(mail__subject__contains="Undelivered").exists()
    assert Message.objects.filter(kind="keep", rule_name__contains="came back").count() == 2
    assert BuyerMessage.objects.get(conversation=replied.conversation).answered_at is None
    assert replied.returned_at <= timezone.now() + timedelta(seconds=1)


def test_only_the_returned_mails_own_message_id_counts(mailbox, desk_mailbox, replied):
    """The returned mail's References name earlier replies: those reached the buyer."""
    earlier = Reply.objects.create(
        message=replied.message, conversation=replied.conversation, to=replied.to,
        from_address=replied.from_address, subject="Re: earlier", body="Earlier answer",
        header_message_id="<earlier-1@seller.test>", state=Reply.State.SENT,
    )  # fmt: skip
    raw = report_for(replied, "dsn-returned-message.eml").replace(
        b"In-Reply-To: <0006.38407548@corpus.sellerdesk.test>",
        b"In-Reply-To: <0006.38407548@corpus.sellerdesk.test>\r\n"
        b"References: <earlier-1@seller.test>",
    )
    mailbox.append("INBOX", raw)
    mailbox_sync(mailbox=desk_mailbox)
    replied.refresh_from_db()
    earlier.refresh_from_db()
    assert replied.state == Reply.State.BOUNCED
    assert earlier.state == Reply.State.SENT


def test_a_reply_forwarded_as_an_attachment_is_no_bounce(mailbox, desk_mailbox, replied):
    from email.message import EmailMessage

    returned = corpus("dsn-returned-message.eml").split(b"message/rfc822\r\n\r\n", 1)[1]
    returned = returned.split(b"\r\n--4F2A", 1)[0].replace(
        b"<170000000001.1.1@seller.test>", replied.header_message_id.encode()
    )
    forward = EmailMessage()
    forward["From"] = "Lin Wei <lin.wei@bamboo-supply.test>"
    forward["To"] = "orders@seller.test"
    forward["Subject"] = "Fwd: what you wrote to the buyer"
    forward["Message-ID"] = "<fwd-reply-1@bamboo-supply.test>"
    forward.set_content("Is this right? See below.")
    forward.add_attachment(returned, maintype="message", subtype="rfc822")
    mailbox.append("INBOX", forward.as_bytes())
    mailbox_sync(mailbox=desk_mailbox)
    replied.refresh_from_db()
    assert replied.state == Reply.State.SENT
    assert Escalation.objects.filter(mail__subject="Fwd: what you wrote to the buyer").exists()


def test_a_returned_reply_is_never_sent_again(replied, smtp):
    from buyers.services import reply_retry

    Reply.objects.filter(pk=replied.pk).update(state=Reply.State.BOUNCED)
    replied.refresh_from_db()
    assert reply_retry(reply=replied).state == Reply.State.BOUNCED
    assert len(smtp.received) == 1
