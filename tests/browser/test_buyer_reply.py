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
