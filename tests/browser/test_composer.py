"""The composer never loses words: a template or an earlier answer goes in at the cursor,
framed for this buyer, without a reload and without replacing what was typed; a draft
survives a reload and is dropped once sent."""

import re

import pytest
from playwright.sync_api import expect

from buyers.models import Conversation
from buyers.services import conversation_reply_send
from inbox.sync import mailbox_sync
from tests.browser.conftest import log_in, readme_screenshot
from tests.inbox.conftest import load_samples, make_mail

pytestmark = pytest.mark.django_db(transaction=True)

TOM = "Tom Ruiz - Amazon Marketplace <tq7x@marketplace.amazon.com>"


@pytest.fixture
def tom(mailbox, desk_mailbox, seed_rules, seed_reply_templates, assistant, smtp,
        run_tasks_inline):  # fmt: skip
    """A buyer whose question was answered before, for another buyer."""
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    jennifer = Conversation.objects.get(order_id="114-3941689-8772232")
    with run_tasks_inline():
        conversation_reply_send(conversation=jennifer, by=assistant,
                                body="Hello Jennifer Walsh,\n\nCarriers sometimes mark parcels "
                                     "delivered early; it is often with a neighbour.\n\n"
                                     "Best regards,\nAnna")  # fmt: skip
    mailbox.append("INBOX", make_mail(
        901, subject="Inquiry from Amazon customer Tom Ruiz (Order: 113-1111111-2222222)",
        body="------------- Begin message -------------\n\nTracking says delivered but I "
             "can't find the package anywhere. Could you check with the carrier?\n\n"
             "------------- End message -------------\n",
        from_=TOM,
    ))  # fmt: skip
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    return Conversation.objects.get(order_id="113-1111111-2222222")


def test_typed_text_survives_inserting_a_template_and_an_earlier_answer(
    page, live_server, assistant, tom
):
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/buyers/{tom.pk}/")
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads
    composer = page.get_by_label("Your reply to Tom Ruiz")
    composer.fill("I checked with the carrier this morning.")
    page.get_by_role("button", name="Delivered but not found").click()
    text = composer.input_value()
    assert text.startswith("I checked with the carrier this morning.\n\n"), text
    assert "Hello Tom Ruiz," in text and "113-1111111-2222222" in text
    assert text.rstrip().endswith(f"Best regards,\n{assistant.full_name}"), text

    # An earlier answer to another buyer: its words, framed for Tom, at the cursor.
    composer.evaluate("a => a.setSelectionRange(a.value.indexOf('Hello Tom'), "
                      "a.value.indexOf('Hello Tom'))")  # fmt: skip
    page.get_by_role("button", name="Use this answer").first.click()
    text = composer.input_value()
    assert "I checked with the carrier this morning." in text
    assert "it is often with a neighbour." in text
    assert "Jennifer" not in text  # the other buyer's greeting is not carried over
    assert text.index("neighbour") < text.index("Hello Tom Ruiz,")
    assert text.count("Best regards,") == 1 and text.count("Hello Tom Ruiz,") == 1
    assert page.evaluate("window.loadedOnce") is True

    composer.fill("")
    page.get_by_role("button", name="Delivered but not found").click()
    composer.evaluate("a => { a.rows = 14; a.scrollTop = 0; }")
    readme_screenshot(page, "conversation")


def test_a_draft_survives_a_reload_and_is_dropped_once_sent(page, live_server, assistant, tom):
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/buyers/{tom.pk}/")
    composer = page.get_by_label("Your reply to Tom Ruiz")
    composer.fill("Hello Tom,\n\nHalf a thought that must not be lost")
    page.reload()
    expect(composer).to_have_value("Hello Tom,\n\nHalf a thought that must not be lost")
    expect(page.locator("#draft-note")).to_contain_text("restored")
    page.get_by_role("link", name="Buyer messages").click()  # an accidental navigation
    page.go_back()
    expect(composer).to_have_value(re.compile("must not be lost"))

    composer.fill("Hello Tom,\n\nIt is with your neighbour.\n\nBest regards,\nAnna")
    page.get_by_role("button", name="Send to the buyer").click()
    expect(page.get_by_role("status")).to_contain_text("Reply sent")
    expect(composer).to_have_value("")


def test_an_unsent_draft_is_forgotten_at_logout_and_never_shown_to_another(
    page, live_server, assistant, tom, db
):
    from sellerdesk.roles import Role
    from tests.conftest import _person

    other = _person("sam@example.test", Role.ASSISTANT, "Sam Lee", "SL")
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/buyers/{tom.pk}/")
    page.get_by_label("Your reply to Tom Ruiz").fill("Maria's private half-thought")
    page.get_by_role("button", name="Log out").click()
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('sellerdesk:draft:')).length"
        )
        == 0
    )
    log_in(page, live_server, other.email)
    page.goto(f"{live_server.url}/buyers/{tom.pk}/")
    expect(page.get_by_label("Your reply to Tom Ruiz")).to_have_value("")
    expect(page.locator("#draft-note")).not_to_contain_text("restored")
