"""What matters first: urgent things are texted alone, at once; normal ones share a digest
that names them, most urgent first. Through the real twilio library to the stand-in, the
real sp_api library to the SP-API stand-in, time moved by time-machine."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine

from dashboard.services import account_from_settings, account_pull
from escalations import gsm
from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation, EscalationPolicy
from inbox.classify import act_on_decisions, classify_pending
from inbox.models import Folder, Mailbox, Message, MessageContent
from sellerdesk.devservers.spapi import health_report, make_order
from tests.conftest import tomorrow_at
from tests.escalations.fixtures import assert_good_text

pytestmark = pytest.mark.django_db

START = tomorrow_at(9)
NORMAL_MAILS = [
    ("UPS My Choice", "mychoice@ups.test", "Delivery exception for your parcel"),
    ("Lin Wei", "lin@bamboo-supply.test", "Price increase from January"),
    ("First Bank", "alerts@bank.test", "Your statement is ready"),
    ("Pack Co", "sales@packco.test", "New box sizes in stock"),
    ("City Tax Office", "notice@tax.test", "Sales tax return due"),
]


def sweep():
    notify_due()
    return deliver_due()


def texts(twilio) -> list[str]:
    return [m["body"] for m in twilio.accepted]


def mails_arrive(mails) -> list[Escalation]:
    """Mails arrive together and are decided the way the worker decides them."""
    mailbox = Mailbox.objects.create(name="shop", host="127.0.0.1", port=1, use_ssl=False,
                                     username="u", password="p")  # fmt: skip
    inbox = Folder.objects.create(mailbox=mailbox, role="inbox", name="INBOX")
    stored = []
    for uid, (name, address, subject) in enumerate(mails, start=1):
        mail = Message.objects.create(
            mailbox=mailbox, folder=inbox, origin=inbox, uid=uid, content_hash=f"h{uid}",
            from_name=name, from_address=address, subject=subject,
        )  # fmt: skip
        MessageContent.objects.create(message=mail, text=f"{subject}. Please reply.")
        stored.append(mail)
    classify_pending()
    act_on_decisions()
    return [Escalation.objects.get(mail=mail) for mail in stored]


def test_account_at_risk_mail_is_texted_alone_at_once_and_normal_mail_shares_a_digest(
    twilio, assistant, client
):
    at_risk = ("Amazon Seller Performance", "seller-performance@amazon.com",
               "Your Amazon selling account is at risk of deactivation")  # fmt: skip
    with time_machine.travel(START, tick=False):
        opened = mails_arrive([*NORMAL_MAILS, at_risk])
        sweep()
        urgent = opened[-1]
        assert urgent.urgency == "urgent"
        assert all(e.urgency == "normal" for e in opened[:-1])
        assert len(texts(twilio)) == 2
        alone = next(t for t in texts(twilio) if f"#{urgent.reference} " in t)
        assert "at risk of deactivation" in alone
        assert_good_text(alone, reference=urgent.reference, initials="MS", client=client)
        digest = next(t for t in texts(twilio) if t != alone)
        assert gsm.segments(digest) == 1 and gsm.gsm_length(digest) <= 160
        assert digest.startswith("5 items need you: ")
        # newest first among equals: the last arrivals are named, the rest counted
        assert "City Tax Office: Sales tax return due" in digest
        assert "more" in digest
        assert urgent.reference not in digest
        link = assert_good_text(digest, reference=opened[-2].reference, initials="MS")
        page = client.get(urlsplit(link).path)
        for escalation in opened[:-1]:
            assert escalation.mail.subject in page.content.decode()


def test_a_digest_names_urgent_items_first_when_the_assistant_raised_them(twilio, assistant):
    with time_machine.travel(START, tick=False):
        opened = mails_arrive(NORMAL_MAILS)
        Escalation.objects.filter(pk=opened[0].pk).update(urgency="urgent")
        sweep()
    bodies = texts(twilio)
    assert len(bodies) == 2
    assert any("Delivery exception" in b and b.count(";") == 0 for b in bodies)


def test_urgent_text_does_not_wait_for_quiet_hours_unless_the_policy_says(twilio, assistant,
                                                                           settings):  # fmt: skip
    settings.TIME_ZONE = "UTC"
    EscalationPolicy.objects.update_or_create(
        pk=1, defaults={"quiet_from": time(22, 0), "quiet_until": time(7, 0)}
    )
    at_risk = ("Amazon", "seller-performance@amazon.com", "Policy warning: account health")
    night = tomorrow_at(23, 30)
    with time_machine.travel(night, tick=False) as clock:
        mails_arrive([NORMAL_MAILS[0], at_risk])
        sweep()
        assert len(texts(twilio)) == 1 and "Policy warning" in texts(twilio)[0]
        EscalationPolicy.objects.filter(pk=1).update(urgent_waits_for_quiet_hours=True)
        Escalation.objects.create(about="note", summary="Urgent at night", urgency="urgent",
                                  next_step_at=night + timedelta(minutes=1))  # fmt: skip
        clock.shift(timedelta(minutes=2))
        sweep()
        assert len(texts(twilio)) == 1
        clock.shift(timedelta(hours=8))
        sweep()
        assert len(texts(twilio)) == 3


def test_performance_turning_fair_is_texted_alone_within_one_sweep(spapi, twilio, assistant):
    now = datetime.now(UTC)
    spapi.report_document = health_report(bad=("lateShipmentRate",))
    spapi.orders = [make_order(n, ship_by_hours=-3, now=now) for n in range(3)]
    account_pull(account=account_from_settings())
    sweep()
    [performance] = Escalation.objects.filter(cause__startswith="performance:")
    assert performance.urgency == "urgent"
    alone = next(t for t in texts(twilio) if f"#{performance.reference} " in t)
    assert "is Fair: Late Shipment Rate" in alone
    assert_good_text(alone, reference=performance.reference, initials="MS")
    late = Escalation.objects.get(cause__startswith="late:")
    assert late.urgency == "normal"
    assert len(texts(twilio)) == 2
