"""The seed's chase: a text now, another after 2 days without an answer, email and chat a
day later; an answer stops it. Time moved by time-machine; texts through the real twilio
library to the stand-in, email to the SMTP fixture, chat to a local webhook."""

from datetime import time, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation, EscalationPolicy, Notification
from escalations.services import escalation_answer, escalation_open
from inbox.classify import act_on_decisions, classify_pending
from inbox.models import Folder, Mailbox, Message, MessageContent
from tests.conftest import tomorrow_at
from tests.escalations.fixtures import OWNER_PHONE, assert_good_text, signed_link

pytestmark = pytest.mark.django_db

START = tomorrow_at(9)


def sweep():
    notify_due()
    return deliver_due()


def unknown_mail() -> Escalation:
    """A mail no rule knows arrives and is decided the way the worker decides it."""
    mailbox = Mailbox.objects.create(name="shop", host="127.0.0.1", port=1, use_ssl=False,
                                     username="u", password="p")  # fmt: skip
    inbox = Folder.objects.create(mailbox=mailbox, role="inbox", name="INBOX")
    mail = Message.objects.create(
        mailbox=mailbox, folder=inbox, origin=inbox, uid=1, content_hash="h1",
        from_name="Lin Wei", from_address="lin@bamboo-supply.test",
        subject="Price increase from January",
    )  # fmt: skip
    MessageContent.objects.create(
        message=mail, text="Prices rise 8% on 1 January. Please confirm your next order by Friday."
    )
    classify_pending()
    act_on_decisions()
    return Escalation.objects.get(mail=mail)


def texts(twilio) -> list[str]:
    return [m["body"] for m in twilio.accepted]


def test_unknown_mail_is_texted_once_at_once(twilio, assistant, client):
    with time_machine.travel(START, tick=False):
        escalation = unknown_mail()
        sweep()
        sweep()
        assert len(texts(twilio)) == 1
        assert twilio.accepted[0]["to"] == OWNER_PHONE
        assert_good_text(texts(twilio)[0], reference=escalation.reference, initials="MS",
                         client=client)  # fmt: skip
        assert Notification.objects.get().state == Notification.State.SENT


def test_no_answer_for_two_days_texts_exactly_once_more_then_email_and_chat(
    twilio, chat_hook, owner_email, assistant, client
):
    with time_machine.travel(START, tick=False) as clock:
        escalation = unknown_mail()
        sweep()
        clock.shift(timedelta(days=2) - timedelta(minutes=1))
        sweep()
        assert len(texts(twilio)) == 1, "not yet two days"
        clock.shift(timedelta(minutes=1))
        sweep()
        sweep()
        assert len(texts(twilio)) == 2
        assert texts(twilio)[1].startswith("Reminder: ")
        assert_good_text(texts(twilio)[1], reference=escalation.reference, initials="MS",
                         client=client)  # fmt: skip
        assert not owner_email.received and not chat_hook.posts

        clock.shift(timedelta(days=1))
        sweep()
        sweep()
        assert len(texts(twilio)) == 2
        assert len(owner_email.received) == 1
        mail = owner_email.received[0].message
        assert mail["To"] == "owner@seller.test"
        assert "Price increase" in mail["Subject"]
        assert f"#{escalation.reference}" in mail.get_content()
        assert len(chat_hook.posts) == 1
        assert f"#{escalation.reference}" in chat_hook.posts[0]["text"]

        clock.shift(timedelta(days=30))
        sweep()
        assert len(texts(twilio)) == 2 and len(owner_email.received) == 1
        assert len(chat_hook.posts) == 1
    escalation.refresh_from_db()
    assert escalation.step == Escalation.Step.OTHER_CHANNELS and escalation.next_step_at is None


@pytest.mark.parametrize("answered_after", [timedelta(0), timedelta(days=1),
                                            timedelta(days=2, hours=1)])  # fmt: skip
def test_an_answer_at_any_point_stops_everything(twilio, chat_hook, owner_email, assistant,
                                                  answered_after):  # fmt: skip
    with time_machine.travel(START, tick=False) as clock:
        escalation = unknown_mail()
        sweep()
        clock.shift(answered_after)
        sweep()
        sent_before = len(texts(twilio))
        escalation_answer(escalation=escalation, kind=Escalation.AnswerKind.TEXT,
                          text="Order 200 as usual.", via="page")  # fmt: skip
        for _ in range(6):
            clock.shift(timedelta(days=1))
            sweep()
        assert len(texts(twilio)) == sent_before
        assert not owner_email.received and not chat_hook.posts


def test_quiet_hours_delay_a_text_and_never_drop_it(twilio, assistant, settings):
    settings.TIME_ZONE = "UTC"
    EscalationPolicy.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(22, 0), "quiet_until": time(7, 0)}
    )
    with time_machine.travel(tomorrow_at(23, 30), tick=False) as clock:
        escalation_open(about="note", summary="The carrier lost a pallet.")
        sweep()
        assert texts(twilio) == []
        clock.shift(timedelta(hours=7))
        sweep()
        assert len(texts(twilio)) == 0
        clock.shift(timedelta(minutes=31))
        sweep()
        assert len(texts(twilio)) == 1


def test_escalations_due_together_go_out_as_one_digest(twilio, assistant, client):
    with time_machine.travel(START, tick=False):
        opened = [escalation_open(about="note", summary=f"Supplier {n} wants an answer.")
                  for n in range(3)]  # fmt: skip
        sweep()
        assert len(texts(twilio)) == 1
        body = texts(twilio)[0]
        link = assert_good_text(body, reference=opened[-1].reference, initials="MS")
        page = client.get(urlsplit(link).path)
        for escalation in opened:
            assert f"#{escalation.reference}" in body
            assert escalation.summary in page.content.decode()


def test_a_digest_link_in_a_text_sent_before_still_opens_its_escalations(twilio, assistant, client):
    with time_machine.travel(START, tick=False):
        opened = [escalation_open(about="note", summary=f"Supplier {n} wants an answer.")
                  for n in range(3)]  # fmt: skip
        sweep()
        digest = Notification.objects.get(channel=Notification.Channel.SMS)
        page = client.get(urlsplit(signed_link("n", digest.pk)).path)
    for escalation in opened:
        assert escalation.summary in page.content.decode()


def test_history_mail_is_recorded_but_not_texted(twilio, assistant):
    with time_machine.travel(START, tick=False):
        escalation = escalation_open(about="note", summary="Old mail", notify_owner=False)
        sweep()
    assert texts(twilio) == []
    escalation.refresh_from_db()
    assert escalation.next_step_at is None


def test_the_third_step_is_one_email_and_one_chat_post_listing_every_item_due(
    twilio, chat_hook, owner_email, assistant
):
    with time_machine.travel(START, tick=False) as clock:
        opened = [escalation_open(about="note", summary=f"Supplier {n} wants an answer.")
                  for n in range(3)]  # fmt: skip
        sweep()
        clock.shift(timedelta(days=2))
        sweep()
        clock.shift(timedelta(days=1))
        sweep()
    assert len(owner_email.received) == 1 and len(chat_hook.posts) == 1
    email = owner_email.received[0].message.get_content()
    for escalation in opened:
        assert f"#{escalation.reference}" in email
        assert f"#{escalation.reference}" in chat_hook.posts[0]["text"]
