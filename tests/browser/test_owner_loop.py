"""The loop between the owner and the assistant, in Chromium: the owner on a 360 px phone
approves or answers; the assistant acts on the answer."""

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from buyers.models import Conversation, Reply
from buyers.services import conversation_send_for_approval
from escalations.chase import notify_due
from escalations.links import link_create
from escalations.services import escalation_open
from inbox.sync import mailbox_sync
from tests.browser.conftest import log_in
from tests.inbox.conftest import load_samples

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = "302-7781120-6639125"  # Hans Müller's broken press, in German


def _conversation(mailbox, desk_mailbox) -> Conversation:
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    return Conversation.objects.get(order_id=ORDER)


def test_owner_edits_the_draft_and_approves_once_whatever_is_replayed(
    browser, phone, live_server, assistant, owner, mailbox, desk_mailbox, seed_rules, smtp,
    tasks_run_at_once,
):  # fmt: skip
    conversation = _conversation(mailbox, desk_mailbox)
    escalation = conversation_send_for_approval(
        conversation=conversation, body="Hallo Hans, wir senden Ersatz.", by=assistant
    )
    link = live_server.url + urlsplit(link_create([escalation])).path
    # The same link open on a second phone, not logged in: a replay waiting to happen.
    stranger = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    replay = stranger.new_page()
    replay.goto(link)
    log_in(phone, live_server, owner.email)
    phone.goto(f"{live_server.url}/owner/")
    second_tab = phone.context.new_page()
    second_tab.goto(f"{live_server.url}/owner/")

    box = phone.get_by_label("Reply (edit it if you want)")
    box.fill("Hallo Hans, wir senden heute eine neue Presse.")
    phone.get_by_role("button", name="Approve and send").click()
    expect(phone.get_by_role("status")).to_contain_text("Approved #")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    second_tab.get_by_role("button", name="Approve and send").click()  # a double tap
    expect(second_tab.get_by_role("status")).to_contain_text("nothing")
    replay.get_by_role("button", name="Approve and send").click()  # the link, no login
    stranger.close()

    [sent] = smtp.received
    assert "heute eine neue Presse" in sent.message.get_content()
    assert Reply.objects.filter(conversation=conversation).count() == 1
    escalation.refresh_from_db()
    assert escalation.answer_kind == "edited" and "wir senden Ersatz" in escalation.draft


def test_owner_answers_and_the_assistant_inserts_it_sends_and_it_is_resolved(
    browser, phone, page, live_server, assistant, owner, mailbox, desk_mailbox, seed_rules,
    smtp, tasks_run_at_once,
):  # fmt: skip
    conversation = _conversation(mailbox, desk_mailbox)
    escalation = escalation_open(
        about="buyer_question",
        summary=f"Buyer Hans (order {ORDER}) asks: the press arrived broken, what now?",
        conversation=conversation,
        by=assistant,
    )
    phone.goto(
        live_server.url + urlsplit(link_create([escalation])).path
    )  # the owner, from the text, not logged in
    phone.get_by_label("Your answer").fill("Send a new press today.")
    phone.get_by_role("button", name="Send answer").click()
    escalation.refresh_from_db()
    assert escalation.state == "answered" and escalation.answered_by == owner

    log_in(page, live_server, assistant.email)
    figures = json.loads(page.request.get(f"{live_server.url}/checklist.json").text())
    assert figures["owner_answered"] == 1
    page.goto(f"{live_server.url}/buyers/")
    row = page.get_by_role("row").nth(1)
    expect(row).to_contain_text("owner answered")
    # The checklist's "The owner answered" leads to the buyer's conversation, the answer
    # above the reply box.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="The owner answered").click()
    expect(page).to_have_url(f"{live_server.url}/buyers/{conversation.pk}/")
    expect(page.get_by_text("Send a new press today.").first).to_be_visible()
    page.get_by_role("button", name="Insert the owner's answer to rewrite").click()
    composer = page.locator("#id_body")
    value = composer.input_value()
    assert value.startswith("Hallo") and "Send a new press today." in value
    sent_before = len(smtp.received)
    page.get_by_role("button", name="Send to the buyer").click()  # the owner's words, as written
    expect(page.get_by_role("alert")).to_contain_text("the owner's note word for word")
    assert len(smtp.received) == sent_before
    composer = page.locator("#id_body")
    rewritten = composer.input_value().replace(
        "Send a new press today.", "Wir schicken Ihnen heute eine neue Presse."
    )
    composer.fill(rewritten)
    page.get_by_role("button", name="Send to the buyer").click()
    expect(page.get_by_role("status")).to_contain_text("Reply sent")

    assert "Wir schicken Ihnen heute eine neue Presse." in smtp.received[-1].message.get_content()
    escalation.refresh_from_db()
    assert escalation.state == "resolved" and "mail server" in escalation.resolved_reason
    assert notify_due(now=timezone.now() + timedelta(days=2, minutes=1)) == 0
    log_in(phone, live_server, owner.email)
    phone.goto(f"{live_server.url}/owner/")
    expect(phone.get_by_text("the press arrived broken")).to_have_count(0)
