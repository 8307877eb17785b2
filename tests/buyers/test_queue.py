"""The reply queue against Dovecot (the buyer mail) and the SMTP fixture (the replies)."""

from datetime import timedelta
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from buyers.models import Conversation, OfferedAnswers, Reply
from buyers.services import conversations_check_clock
from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation
from escalations.services import escalation_answer, escalation_open
from inbox.models import Message
from inbox.sync import mailbox_sync
from sellerdesk.devservers import free_port
from tests.inbox.conftest import MANIFEST, make_mail

pytestmark = pytest.mark.django_db
BUYERS = [e for e in MANIFEST if e["kind"] == "buyer"]


def folder_subjects(mailbox, folder: str) -> list[str]:
    with mailbox.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search()
        return [_decoded(data[b"ENVELOPE"].subject or b"")
                for data in client.fetch(uids, ["ENVELOPE"]).values()]  # fmt: skip


def _decoded(subject: bytes) -> str:
    try:
        return str(make_header(decode_header(subject.decode(errors="replace"))))
    except LookupError:  # the sample with a charset nobody knows
        return subject.decode(errors="replace")


def test_each_buyer_sample_becomes_a_conversation_with_its_order_buyer_and_clock(samples):
    assert Conversation.objects.count() == len(BUYERS)
    for entry in BUYERS:
        conversation = Conversation.objects.get(order_id=entry["order_id"])
        assert conversation.buyer_name == entry["buyer_name"]
        assert conversation.relay_address.endswith(
            ("@marketplace.amazon.com", "@marketplace.amazon.de", "@marketplace.amazon.co.jp")
        )
        message = conversation.messages.get()
        assert conversation.state == "waiting"
        assert conversation.due_at == message.received_at + timedelta(hours=24)
        assert "Begin message" not in message.text and message.text
    german = Conversation.objects.get(order_id="302-7781120-6639125")
    assert (german.marketplace, german.language) == ("DE", "de")
    assert Conversation.objects.get(order_id="503-1209934-7716251").language == "ja"


def test_a_reply_is_threaded_from_the_seller_and_only_then_the_mail_goes_to_trash(
    client, assistant, samples, mailbox, smtp, run_tasks_inline
):
    conversation = Conversation.objects.get(order_id="112-5530918-2244617")  # in Spam
    mail = conversation.messages.get().message
    client.force_login(assistant)
    with run_tasks_inline():
        page = client.post(reverse("buyer-send", args=[conversation.pk]),
                           {"action": "send", "body": "Hello Marcus, a replacement ships today."})  # fmt: skip
    assert page.status_code == 302
    [received] = smtp.received
    sent = received.message
    assert received.mail_from == "orders@seller.test"
    assert received.rcpt_tos == [conversation.relay_address]
    assert sent["In-Reply-To"] == mail.message_id and mail.message_id in sent["References"]
    assert sent["Subject"].startswith("Re: ")
    conversation.refresh_from_db()
    assert conversation.state == "answered" and conversation.due_at is None
    trash = folder_subjects(mailbox, "Trash")
    assert any(mail.subject == subject for subject in trash), trash
    assert all(mail.subject != subject for subject in folder_subjects(mailbox, "Spam"))


def test_with_smtp_down_the_send_fails_visibly_the_mail_stays_and_a_retry_succeeds(
    client, assistant, samples, mailbox, settings, smtp_server, run_tasks_inline
):
    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    mail = conversation.messages.get().message
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    client.force_login(assistant)
    with run_tasks_inline():
        page = client.post(reverse("buyer-send", args=[conversation.pk]),
                           {"action": "send", "body": "Hello Jennifer, I checked with the carrier."},
                           follow=True)  # fmt: skip
    assert "Could not reach the mail server" in page.content.decode()
    reply = Reply.objects.get()
    assert reply.state == "failed"
    conversation.refresh_from_db()
    assert conversation.state == "waiting"
    assert mail.subject in folder_subjects(mailbox, "INBOX")

    settings.EMAIL_PORT = smtp_server.port
    with run_tasks_inline():
        client.post(reverse("buyer-reply-retry", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.state == "sent" and reply.attempts == 2
    assert len(smtp_server.received) == 1
    assert mail.subject not in folder_subjects(mailbox, "INBOX")
    assert mail.subject in folder_subjects(mailbox, "Trash")


def test_ask_the_owner_proposes_a_summary_in_plain_words_for_a_japanese_question(
    client, assistant, samples, smtp
):
    """Japanese transliterated means nothing to the owner: the proposed summary says what it
    is instead, and the assistant sees it before anything is sent."""
    conversation = Conversation.objects.get(order_id="503-1209934-7716251")
    client.force_login(assistant)
    page = client.post(reverse("buyer-send", args=[conversation.pk]), {"action": "ask_owner"})
    assert page.context["summary"] == (
        "Japanese-language question from a buyer, order 503-1209934-7716251"
    )
    assert "Japanese-language question" in page.content.decode()
    assert not smtp.received and not Escalation.objects.filter(conversation=conversation)


def test_ask_the_owner_holding_reply_text_answer_draft_and_approval_sends(
    client, assistant, samples, mailbox, smtp, twilio, run_tasks_inline
):
    conversation = Conversation.objects.get(order_id="302-7781120-6639125")
    mail = conversation.messages.get().message
    client.force_login(assistant)
    page = client.post(reverse("buyer-send", args=[conversation.pk]), {"action": "ask_owner"})
    assert not smtp.received  # first the summary, for the assistant to edit
    summary = page.context["summary"]
    assert summary.startswith("Buyer ") and "302-7781120-6639125" in summary
    with run_tasks_inline():
        client.post(reverse("buyer-send", args=[conversation.pk]),
                    {"action": "ask_owner", "summary": "Hans: press arrived broken, send a new one?"})  # fmt: skip
    [holding] = smtp.received
    text = holding.message.get_content()
    assert "Maria Santos" in text and "Vorgesetzten" in text  # the German holding reply
    escalation = Escalation.objects.get(conversation=conversation)
    assert escalation.about == "buyer_question" and "beschädigt" in escalation.details
    assert escalation.summary == "Hans: press arrived broken, send a new one?"
    notify_due()
    deliver_due()
    assert any(f"#{escalation.reference}" in m["body"] for m in twilio.accepted)
    conversation.refresh_from_db()
    assert conversation.state == "answered"  # the holding reply stopped the clock
    assert mail.subject in folder_subjects(mailbox, "INBOX")  # but the question is open

    escalation_answer(escalation=escalation, kind="text", via="text",
                      text="Send a new press today, no need to return the broken one.")  # fmt: skip
    page = client.get(reverse("buyer-conversation", args=[conversation.pk]))
    assert "Send a new press today" in page.content.decode()
    framed = page.context["framed_answer"]
    assert framed.startswith("Hallo") and "Send a new press today" in framed  # German frame
    refused = client.post(reverse("buyer-send", args=[conversation.pk]),
                          {"action": "send", "body": framed}, follow=True)  # fmt: skip
    assert "word for word" in refused.content.decode() and len(smtp.received) == 1
    with run_tasks_inline():  # the assistant checked the owner's words suit the buyer
        client.post(reverse("buyer-send", args=[conversation.pk]),
                    {"action": "send", "body": framed, "owner_words": "on"})  # fmt: skip
    assert len(smtp.received) == 2
    assert "Send a new press today" in smtp.received[1].message.get_content()
    assert mail.subject in folder_subjects(mailbox, "Trash")
    escalation.refresh_from_db()
    assert (
        escalation.state == "resolved"
        and "accepted by the mail server" in escalation.resolved_reason
    )


def test_owner_approves_a_draft_on_the_phone_and_it_is_sent(client, assistant, owner,
                                                             samples, smtp, run_tasks_inline):  # fmt: skip
    conversation = Conversation.objects.get(order_id="111-2290471-6654829")
    client.force_login(assistant)
    client.post(reverse("buyer-send", args=[conversation.pk]),
                {"action": "approval", "body": "Hello Priya, a refund is on its way."})  # fmt: skip
    assert not smtp.received
    escalation = Escalation.objects.get(conversation=conversation, about="draft")
    client.force_login(owner)
    with run_tasks_inline():
        client.post(reverse("owner-home"), {"escalation": escalation.pk, "action": "approve"})
    [sent] = smtp.received
    assert "a refund is on its way" in sent.message.get_content()


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("", "Write the reply first"),
        ("See https://example.com/help for more", "link"),
        ("Write to me at help@seller.test please", "email address"),
        ("Visit seller-shop.com for returns", "link"),
    ],
)
def test_bad_replies_are_refused_before_sending(client, assistant, samples, smtp, body,
                                                complaint):  # fmt: skip
    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    client.force_login(assistant)
    page = client.post(
        reverse("buyer-send", args=[conversation.pk]), {"action": "send", "body": body},
        follow=True,
    )  # fmt: skip
    assert refused_back(page, conversation) and complaint in page.content.decode()
    assert not Reply.objects.exists() and not smtp.received


def test_a_25_mb_attachment_is_refused(client, assistant, samples, smtp):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    client.force_login(assistant)
    big = SimpleUploadedFile("photo.jpg", b"\0" * (25 * 1024 * 1024), content_type="image/jpeg")
    page = client.post(reverse("buyer-send", args=[conversation.pk]),
                       {"action": "send", "body": "Hello", "attachment": big}, follow=True)  # fmt: skip
    assert refused_back(page, conversation) and "at most 10 MB" in page.content.decode()
    assert not smtp.received


def test_a_small_attachment_goes_with_the_reply(client, assistant, samples, smtp, run_tasks_inline):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    client.force_login(assistant)
    label = SimpleUploadedFile(
        "return-label.pdf", b"%PDF-1.4 label", content_type="application/pdf"
    )
    with run_tasks_inline():
        client.post(reverse("buyer-send", args=[conversation.pk]),
                    {"action": "send", "body": "Hello, the label is attached.", "attachment": label})  # fmt: skip
    [sent] = smtp.received
    from buyers.models import ReplyAttachment

    assert ReplyAttachment.objects.count() == 1, sent.data[:2000]
    [part] = list(sent.message.iter_attachments())
    assert part.get_filename() == "return-label.pdf"


def test_a_relay_address_that_is_not_amazons_is_refused(client, assistant, samples, smtp):
    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    Conversation.objects.filter(pk=conversation.pk).update(relay_address="buyer@gmail.test")
    client.force_login(assistant)
    page = client.post(
        reverse("buyer-send", args=[conversation.pk]), {"action": "send", "body": "Hi"},
        follow=True,
    )  # fmt: skip
    assert refused_back(page, conversation)
    assert "not an Amazon relay address" in page.content.decode()


def test_a_new_message_reopens_the_conversation_and_restarts_its_clock(
    samples, mailbox, desk_mailbox, smtp, assistant, run_tasks_inline
):
    from buyers.services import conversation_reply_send

    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    with run_tasks_inline():
        conversation_reply_send(conversation=conversation, body="Checking now.", by=assistant)
    conversation.refresh_from_db()
    assert conversation.state == "answered"
    relay = conversation.relay_address
    mailbox.append("INBOX", make_mail(
        900, subject="Re: Inquiry (Order: 114-3941689-8772232)", body="Still nothing arrived.",
        from_=f"Jennifer Walsh - Amazon Marketplace <{relay}>",
    ))  # fmt: skip
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    conversation.refresh_from_db()
    latest = conversation.messages.order_by("-received_at").first()
    assert conversation.state == "waiting"
    assert conversation.due_at == latest.received_at + timedelta(hours=24)
    assert latest.received_at == parsedate_to_datetime("Fri, 20 Nov 2026 12:00:00 +0000")


def test_near_the_limit_the_owner_is_told_once(samples, assistant):
    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    with time_machine.travel(conversation.due_at - timedelta(hours=5)):
        assert conversations_check_clock() == 0
    with time_machine.travel(conversation.due_at - timedelta(hours=3)):
        assert conversations_check_clock() >= 1
        assert conversations_check_clock() == 0
    told = Escalation.objects.filter(conversation=conversation)
    assert told.count() == 1 and "must be answered by" in told.get().summary


def test_suggestions_offer_earlier_answers_to_similar_questions(
    samples, mailbox, desk_mailbox, assistant, smtp, run_tasks_inline
):
    from buyers.services import conversation_reply_send
    from buyers.suggestions import suggestions_for

    jennifer = Conversation.objects.get(order_id="114-3941689-8772232")
    with run_tasks_inline():
        conversation_reply_send(conversation=jennifer, by=assistant,
                                body="Carriers sometimes mark parcels delivered early; it is "
                                     "often with a neighbour.")  # fmt: skip
    # The reply was accepted: the worker worked out again what the waiting buyers are offered.
    unrelated = Conversation.objects.get(order_id="112-5530918-2244617")  # dishwasher safe?
    assert not OfferedAnswers.objects.filter(conversation=jennifer).exists()  # answered
    assert OfferedAnswers.objects.filter(conversation=unrelated).exists()
    mailbox.append("INBOX", make_mail(
        901, subject="Inquiry from Amazon customer Tom Ruiz (Order: 113-1111111-2222222)",
        body="------------- Begin message -------------\n\nTracking says delivered but I "
             "can't find the package anywhere. Could you check with the carrier?\n\n"
             "------------- End message -------------\n",
        from_="Tom Ruiz - Amazon Marketplace <tq7x@marketplace.amazon.com>",
    ))  # fmt: skip
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    tom = Conversation.objects.get(order_id="113-1111111-2222222")
    # Tom's question came in: the worker worked out what to offer before anyone opened it.
    kept = OfferedAnswers.objects.get(conversation=tom).offered
    assert kept and "neighbour" in kept[0]["answer"], kept
    found = suggestions_for(conversation=tom)
    assert found == kept
    assert all("neighbour" not in s["answer"] for s in suggestions_for(conversation=unrelated))


def test_the_queue_puts_the_most_urgent_first_and_marks_overdue(client, assistant, samples):
    client.force_login(assistant)
    body = client.get(reverse("buyer-queue")).content.decode()
    first = Conversation.objects.order_by("due_at").first()
    last = Conversation.objects.order_by("due_at").last()
    assert body.index(first.buyer_name) < body.index(last.buyer_name) or first == last
    assert 'hx-trigger="every 30s"' in body
    with time_machine.travel(first.due_at + timedelta(hours=1)):
        assert "overdue by" in client.get(reverse("buyer-queue")).content.decode()


def test_unknown_charset_buyer_mail_is_still_filed(samples):
    assert not Message.objects.filter(kind="buyer_message", buyer__isnull=True).exists()


def test_the_queue_shows_which_conversations_wait_on_the_owner(client, assistant, db):
    asked = Conversation.objects.create(relay_address="w1@marketplace.amazon.com",
                                        order_id="111-1", buyer_name="Ann",
                                        due_at=timezone.now() + timedelta(hours=5))  # fmt: skip
    Conversation.objects.create(relay_address="w2@marketplace.amazon.com", order_id="111-2",
                                buyer_name="Bo", due_at=timezone.now() + timedelta(hours=6))  # fmt: skip
    escalation_open(about="buyer_question", summary="Ann asks", conversation=asked,
                    notify_owner=False)  # fmt: skip
    client.force_login(assistant)
    page = client.get(reverse("buyer-queue")).content.decode()
    ann, bo = page.index(">Ann<"), page.index(">Bo<")
    assert "Waits on the owner" in page[ann:bo] and "Waits on the owner" not in page[bo:]


def refused_back(page, conversation) -> bool:
    """A refused send goes back to the conversation (a redirect: a reload does not post
    again)."""
    path = reverse("buyer-conversation", args=[conversation.pk])
    return page.status_code == 200 and page.redirect_chain == [(path, 302)]
