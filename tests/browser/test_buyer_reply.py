"""The assistant answers a buyer, start to finish, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from buyers.models import Conversation, Reply
from inbox.sync import mailbox_sync
from tests.browser.conftest import log_in
from tests.inbox.conftest import load_samples

pytestmark = pytest.mark.django_db(transaction=True)


def test_assistant_answers_a_buyer_from_the_queue(
    page,
    live_server,
    assistant,
    mailbox,
    desk_mailbox,
    seed_rules,
    seed_reply_templates,
    smtp,
    tasks_run_at_once,
):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    log_in(page, live_server, assistant.email)
    page.get_by_role("link", name="Buyers").click()
    expect(page.get_by_role("heading", name="Buyer messages")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Jennifer Walsh")
    expect(row).to_contain_text(re.compile(r"left|overdue by"))
    row.get_by_role("link", name="Jennifer Walsh").click()
    expect(page.get_by_text("can't find it")).to_be_visible()

    page.get_by_role("button", name="Delivered but not found").click()
    composer = page.get_by_label("Your reply to Jennifer Walsh")
    expect(composer).to_have_value(re.compile(r"Hello Jennifer Walsh,.*114-3941689-8772232", re.S))
    composer.fill(composer.input_value() + "\n(I asked the carrier too.)")
    page.get_by_role("button", name="Send to the buyer").click()

    expect(page.get_by_role("status")).to_contain_text("Reply sent")
    expect(page.get_by_text("Answered: nothing waits for a reply.")).to_be_visible()
    [received] = smtp.received
    assert "I asked the carrier too." in received.message.get_content()
    assert Reply.objects.get().state == "sent"
    assert Conversation.objects.get(order_id="114-3941689-8772232").state == "answered"

    page.get_by_role("link", name="Buyer messages").click()
    expect(page.get_by_role("row").filter(has_text="Jennifer Walsh")).to_have_count(0)


def test_a_link_in_the_reply_is_refused_in_the_page(
    page, live_server, assistant, mailbox, desk_mailbox, seed_rules, smtp
):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    log_in(page, live_server, assistant.email)
    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    page.goto(f"{live_server.url}/buyers/{conversation.pk}/")
    page.get_by_label("Your reply to Jennifer Walsh").fill("Track it at https://carrier.example/x")
    page.get_by_role("button", name="Send to the buyer").click()
    expect(page.get_by_role("alert")).to_contain_text("link")
    assert not smtp.received


def chinese_buyer_mail() -> bytes:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = "李 明 - Amazon Marketplace <q8w7e6r5t4y3u2i@marketplace.amazon.sg>"
    mail["To"] = "orders@seller.test"
    mail["Subject"] = "来自亚马逊买家 李 明 的询问 (订单: 405-1234567-7654321)"
    mail["Message-ID"] = "<zh-buyer-1@marketplace.amazon.sg>"
    mail["Date"] = "Fri, 20 Nov 2026 14:10:00 +0000"
    mail.set_content(
        "------------- Begin message -------------\n\n"
        "您好，我的订单还没有到。请帮我查一下物流状态。\n\n"
        "------------- End message -------------\n\n"
        "Order ID: 405-1234567-7654321\nASIN: B09ZH00321\n"
    )
    return mail.as_bytes()


@pytest.mark.parametrize(
    ("order", "buyer", "holding", "reply"),
    [
        ("503-1209934-7716251", "山田 花子", "上司に確認しております",
         "ご連絡ありがとうございます。配送状況を確認いたします。"),
        ("405-1234567-7654321", "李 明", "我正在向主管确认",
         "感谢您的来信。我们已经联系快递公司，会尽快回复您。"),
    ],
    ids=["japanese", "chinese"],
)  # fmt: skip
def test_a_buyer_writing_japanese_or_chinese_is_asked_about_and_answered(
    page, live_server, assistant, mailbox, desk_mailbox, seed_rules, seed_reply_templates,
    smtp, tasks_run_at_once, order, buyer, holding, reply,
):  # fmt: skip
    from escalations.models import Escalation

    load_samples(mailbox)
    mailbox.append("INBOX", chinese_buyer_mail())
    mailbox_sync(mailbox=desk_mailbox)
    conversation = Conversation.objects.get(order_id=order)
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/buyers/{conversation.pk}/")
    page.get_by_role("button", name="Ask the owner (tell the buyer you are checking)").click()
    page.get_by_label("What the owner's text will say").fill(f"{buyer} asks where the parcel is.")
    page.get_by_role("button", name="Send the holding reply and ask the owner").click()
    expect(page.get_by_role("status")).to_contain_text("Holding reply sent and the owner asked")
    [held] = smtp.received
    assert holding in held.message.get_content()
    escalation = Escalation.objects.get(conversation=conversation)
    assert escalation.summary == f"{buyer} asks where the parcel is."

    page.get_by_label(f"Your reply to {buyer}").fill(reply)
    page.get_by_role("button", name="Send to the buyer").click()
    expect(page.get_by_role("status")).to_contain_text("Reply sent")
    assert len(smtp.received) == 2
    assert reply in smtp.received[1].message.get_content()
    assert Reply.objects.filter(conversation=conversation, state="sent").count() == 2


def test_a_refused_ask_owner_keeps_the_summary_the_assistant_wrote(
    page, live_server, assistant, mailbox, desk_mailbox, seed_rules, seed_reply_templates, smtp
):
    from buyers.models import ReplyTemplate

    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    ReplyTemplate.objects.filter(purpose="holding").update(
        body="Hello {buyer_name}, see seller-help.example for now. {assistant_name}"
    )
    conversation = Conversation.objects.get(order_id="114-3941689-8772232")
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/buyers/{conversation.pk}/")
    page.get_by_role("button", name="Ask the owner (tell the buyer you are checking)").click()
    summary = page.get_by_label("What the owner's text will say")
    summary.fill("Jennifer asks for a refund; the tracking says delivered.")
    page.get_by_role("button", name="Send the holding reply and ask the owner").click()
    expect(page.get_by_role("alert")).to_contain_text("link")
    expect(summary).to_have_value("Jennifer asks for a refund; the tracking says delivered.")
    assert not smtp.received
