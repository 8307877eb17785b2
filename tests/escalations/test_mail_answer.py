"""An answered escalation about an unknown mail: the assistant replies to the mail from the
desk (SMTP) or marks it handled; only then is the mail marked read. Against Dovecot and
the SMTP fixture."""

import pytest
from django.urls import reverse

from buyers.models import Reply
from escalations.models import Escalation
from escalations.services import escalation_answer
from inbox.sync import mailbox_sync
from tests.inbox.conftest import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(mailbox, desk_mailbox, seed_rules):
    mailbox_sync(mailbox=desk_mailbox)  # connected empty: what comes now is new mail
    mailbox.append("INBOX", sample("unknown-supplier.eml"))
    mailbox_sync(mailbox=desk_mailbox)
    escalation = Escalation.objects.get()
    escalation_answer(escalation=escalation, kind="text", via="page",
                      text="Tell Lin we order 200 as usual.")  # fmt: skip
    return escalation


def seen_on_server(mailbox) -> bool:
    with mailbox.client() as client:
        client.select_folder("INBOX", readonly=True)
        [uid] = client.search()
        return b"\\Seen" in client.get_flags([uid])[uid]


def test_reply_from_the_desk_is_threaded_and_only_then_the_mail_is_read(
    client, assistant, answered, mailbox, smtp, run_tasks_inline
):
    client.force_login(assistant)
    mail = answered.mail
    with run_tasks_inline():
        page = client.post(reverse("escalation-reply", args=[answered.pk]),
                           {"body": "Hello Lin, we will order 200 units as usual."})  # fmt: skip
    assert page.status_code == 302
    [received] = smtp.received
    sent = received.message
    assert sent["From"] == "orders@seller.test"
    assert sent["To"] == mail.from_address
    assert sent["Subject"] == f"Re: {mail.subject}"
    assert sent["In-Reply-To"] == mail.message_id
    assert mail.message_id in sent["References"]
    assert "200 units" in sent.get_content()
    assert Reply.objects.get().state == Reply.State.SENT
    assert seen_on_server(mailbox)
    answered.refresh_from_db()
    assert answered.state == "resolved"


def test_a_refused_reply_leaves_the_mail_unread_and_says_why(
    client, assistant, answered, mailbox, smtp, run_tasks_inline
):
    smtp.sink.reply = "550 5.7.1 Relaying denied"
    client.force_login(assistant)
    with run_tasks_inline():
        page = client.post(reverse("escalation-reply", args=[answered.pk]),
                           {"body": "Hello Lin."}, follow=True)  # fmt: skip
    assert "Relaying denied" in page.content.decode()
    reply = Reply.objects.get()
    assert reply.state == Reply.State.FAILED and "550" in reply.error
    assert not seen_on_server(mailbox)
    answered.refresh_from_db()
    assert answered.state == "answered"


def test_smtp_down_fails_visibly_and_changes_nothing(client, assistant, answered, mailbox,
                                                     settings, run_tasks_inline):  # fmt: skip
    from sellerdesk.devservers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    client.force_login(assistant)
    with run_tasks_inline():
        page = client.post(reverse("escalation-reply", args=[answered.pk]),
                           {"body": "Hello Lin."}, follow=True)  # fmt: skip
    assert "Could not reach the mail server" in page.content.decode()
    assert not seen_on_server(mailbox)


def test_an_empty_reply_is_refused(client, assistant, answered, smtp):
    client.force_login(assistant)
    client.post(reverse("escalation-reply", args=[answered.pk]), {"body": "   "})
    assert not Reply.objects.exists() and not smtp.received


def test_marking_it_handled_marks_the_mail_read_and_resolves(client, assistant, answered,
                                                             mailbox, run_tasks_inline):  # fmt: skip
    client.force_login(assistant)
    with run_tasks_inline():
        client.post(reverse("escalation-handled", args=[answered.pk]))
    assert seen_on_server(mailbox)
    answered.refresh_from_db()
    assert answered.state == "resolved"


# --- Amazon's claims and other mail that takes no reply ---------------------------------


@pytest.fixture
def claim(mailbox, desk_mailbox, seed_rules, twilio, assistant):
    """The A-to-z claim arrives after the desk was connected: urgent, texted at once."""
    from escalations.chase import notify_due
    from escalations.delivery import deliver_due

    mailbox_sync(mailbox=desk_mailbox)
    mailbox.append("INBOX", sample("unknown-atoz-claim.eml"))
    mailbox_sync(mailbox=desk_mailbox)
    notify_due()
    deliver_due()
    escalation = Escalation.objects.get()
    assert escalation.urgency == "urgent" and len(twilio.accepted) == 1
    return escalation


def test_a_claim_offers_seller_central_not_a_reply_and_stays_open_and_chased(
    client, assistant, claim, mailbox, smtp, twilio, run_tasks_inline
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from escalations.chase import notify_due
    from escalations.delivery import deliver_due

    client.force_login(assistant)
    page = client.get(reverse("escalation-detail", args=[claim.pk])).content.decode()
    assert "Open in Seller Central" in page
    assert "https://sellercentral.amazon.com/gp/guarantee-claims/home.html" in page
    assert "Reply to atoz-guarantee-no-reply@amazon.com" not in page
    assert reverse("escalation-reply", args=[claim.pk]) not in page
    with run_tasks_inline():
        answer = client.post(
            reverse("escalation-reply", args=[claim.pk]), {"body": "We shipped it."}, follow=True
        )
    assert "answered in Seller Central" in answer.content.decode()
    assert not smtp.received and not Reply.objects.exists()
    claim.refresh_from_db()
    assert claim.state == "open" and not seen_on_server(mailbox)

    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1), tick=False):
        notify_due()
        deliver_due()
        assert len(twilio.accepted) == 2 and twilio.accepted[1]["body"].startswith("Reminder")
        with run_tasks_inline():
            refused = client.post(
                reverse("escalation-handled", args=[claim.pk]), {"note": " "}, follow=True
            )
        assert "Say what you did in Seller Central" in refused.content.decode()
        claim.refresh_from_db()
        assert claim.state == "open"
        with run_tasks_inline():
            client.post(
                reverse("escalation-handled", args=[claim.pk]),
                {"note": "Answered the claim with the tracking number."},
            )
        claim.refresh_from_db()
        assert claim.state == "resolved"
        assert claim.resolved_reason == (
            "Handled in Seller Central: Answered the claim with the tracking number."
        )
        assert seen_on_server(mailbox)


@pytest.mark.parametrize(
    ("address", "no_reply"),
    [
        ("atoz-guarantee-no-reply@amazon.com", True), ("no-reply@shop.test", True),
        ("noreply@supplier.test", True), ("do-not-reply@bank.test", True),
        ("DoNotReply@carrier.test", True), ("MAILER-DAEMON@mx.test", True),
        ("postmaster@mx.test", True), ("seller-notification-noreply@amazon.de", True),
        ("lin.wei@bamboo-supply.test", False), ("reply@shop.test", False),
        ("noreplyjohn@x.test", False), ("", False),
    ],
)  # fmt: skip
def test_addresses_that_take_no_reply(address, no_reply):
    from inbox.senders import takes_no_reply

    assert takes_no_reply(address) is no_reply


def test_no_reply_is_sent_to_a_no_reply_sender_by_any_road(answered, assistant, smtp):
    from django.core.exceptions import ValidationError

    from buyers.replies import mail_reply_send

    answered.mail.from_address = "updates-no-reply@supplier.test"
    answered.mail.save()
    with pytest.raises(ValidationError, match="takes no reply"):
        mail_reply_send(message=answered.mail, body="Thanks", by=assistant)
    assert not smtp.received
