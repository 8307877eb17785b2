"""The tools a help desk is worked with all day, in Chromium at 1280 and 360 px: search in
Buyers and Escalations, the keyboard shortcuts ("?" lists them), "Send and next", and the
assistant's own saved replies page. Buyer mail comes from Dovecot; replies go to the SMTP
fixture."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from buyers.models import Conversation, Reply, ReplyTemplate
from buyers.selectors import conversation_queue
from escalations.models import Escalation
from inbox.sync import mailbox_sync
from tests.browser.conftest import desk_page
from tests.inbox.conftest import load_samples

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = [1280, 360]
IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight && r.width > 0; }"""


@pytest.fixture
def buyers(mailbox, desk_mailbox, seed_rules, tasks_run_at_once):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    return list(conversation_queue(state="waiting"))


def rows(page):
    return page.locator("tbody tr[data-row]")


@pytest.mark.parametrize("width", WIDTHS)
def test_search_finds_buyers_by_name_order_id_and_what_they_wrote(
    browser, live_server, assistant, buyers, width
):
    page = desk_page(browser, live_server, assistant, width)
    page.goto(live_server.url + reverse("buyer-queue"))
    search = page.get_by_label("Search buyer name, order id or text")
    german = Conversation.objects.get(language="de")
    for words in (german.buyer_name.upper(), german.order_id.replace("-", ""),
                  german.messages.get().text.split()[3]):  # fmt: skip
        search.fill(words)
        search.press("Enter")
        expect(rows(page).first).to_contain_text(german.buyer_name)
        expect(page.get_by_role("status")).to_contain_text(f"holding “{words}”")
    search.fill("Zzyzx-nothing")
    search.press("Enter")
    expect(page.get_by_text("No conversation holds “Zzyzx-nothing”")).to_be_visible()
    page.get_by_role("link", name="Clear the search").click()
    expect(rows(page)).to_have_count(len(buyers))
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_search_finds_escalations_by_reference_words_and_buyer(
    browser, live_server, assistant, width
):
    tax = Escalation.objects.create(about="mail", summary="Ein Steuerbescheid ist gekommen.")
    Escalation.objects.create(about="mail", summary="A supplier asks to be paid.",
                              state=Escalation.State.RESOLVED)  # fmt: skip
    page = desk_page(browser, live_server, assistant, width)
    page.goto(live_server.url + reverse("escalation-list"))
    search = page.get_by_label("Search reference, summary, answer, mail or buyer")
    for words, summary in ((f"#{tax.reference}", "Steuerbescheid"), ("STEUER", "Steuerbescheid"),
                           ("supplier", "supplier asks")):  # fmt: skip
        search.fill(words)
        search.press("Enter")
        expect(rows(page)).to_have_count(1)
        expect(rows(page).first).to_contain_text(summary)
    page.context.close()


def test_the_keyboard_works_the_queue_and_the_conversation(
    browser, live_server, assistant, buyers, smtp
):
    page = desk_page(browser, live_server, assistant, 1280)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("buyer-queue"))
    page.keyboard.press("?")
    help_ = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_).to_be_visible()
    for what in ("Search", "Next in the list", "Open the one chosen"):
        expect(help_).to_contain_text(what)
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("j")  # typed into the search: text, not a shortcut
    expect(page.locator("#id_q")).to_have_value("j")
    page.locator("#id_q").fill("")
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows(page).nth(1)).to_have_class(re.compile("row-selected"))
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    second = buyers[1]
    expect(page).to_have_url(live_server.url + reverse("buyer-conversation", args=[second.pk]))
    page.wait_for_load_state()

    page.keyboard.press("?")
    help_ = page.get_by_role("dialog", name="Keyboard shortcuts")
    for what in ("Write the reply", "Send to the buyer", "Send, then open the next waiting buyer",
                 "Back to the buyer messages", "Next waiting buyer"):  # fmt: skip
        expect(help_).to_contain_text(what)
    page.keyboard.press("Escape")
    # Ctrl+Enter in another form's field ("No response needed?") does not send the reply.
    page.locator("#id_body").fill("Hello, a draft not meant to go yet.")
    page.get_by_text("No response needed?").first.click()
    page.locator("input[name=why]").first.fill("Thanks only")
    page.locator("input[name=why]").first.press("Control+Enter")
    page.wait_for_timeout(300)
    assert not smtp.received and not Reply.objects.exists()
    page.locator("#id_body").fill("")
    page.locator("h1").click()
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.type("Hello, a replacement ships today. r j ? /")
    expect(page.locator("#id_body")).to_have_value("Hello, a replacement ships today. r j ? /")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Reply sent to {second.buyer_name}")
    assert len(smtp.received) == 1
    page.locator("h1").click()
    page.keyboard.press("u")
    expect(page).to_have_url(live_server.url + reverse("buyer-queue"))
    assert not errors
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_send_and_next_goes_through_the_queue_once_each(
    browser, live_server, assistant, buyers, smtp, width
):
    page = desk_page(browser, live_server, assistant, width)
    page.goto(live_server.url + reverse("buyer-conversation", args=[buyers[0].pk]))
    for at, conversation in enumerate(buyers):
        expect(page.locator("h1")).to_contain_text(conversation.buyer_name)
        page.locator("#id_body").fill(f"Hello, this is answer {at}.")
        page.get_by_role("button", name="Send and next").dblclick()  # a double click
        expect(page.get_by_role("status")).to_contain_text(
            f"Reply sent to {conversation.buyer_name}"
        )
    expect(page).to_have_url(live_server.url + reverse("buyer-queue"))
    expect(page.get_by_text("No buyer is waiting for a reply.")).to_be_visible()
    assert len(smtp.received) == len(buyers) == Reply.objects.count()
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_assistant_keeps_saved_replies_on_their_own_page(
    browser, live_server, assistant, width
):
    conversation = Conversation.objects.create(
        relay_address="b1@marketplace.amazon.com", order_id="114-3941689-8772232",
        buyer_name="Jennifer Ortiz", language="en",
    )  # fmt: skip
    posts = []
    page = desk_page(browser, live_server, assistant, width, posts)
    page.goto(live_server.url + reverse("buyer-queue"))
    page.get_by_role("link", name="Your saved replies").click()
    page.get_by_role("link", name="New saved reply").click()
    page.get_by_label("Name").fill("Tracking update")
    page.get_by_label("The reply").fill("Your parcel is on its way: track it at example.com/t")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#id_body_errors")
    expect(error).to_contain_text("link or web address")
    assert error.evaluate(IN_VIEW) and page.evaluate("document.activeElement.id") == "id_body"
    before = len(posts)
    page.reload()
    assert len(posts) == before

    page.get_by_label("Name").fill("Tracking update")
    page.get_by_label("The reply").fill("Your parcel for {order_id} is on its way.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Tracking update”")
    saved = ReplyTemplate.objects.get(name="Tracking update")  # the table admin edits

    composer = live_server.url + reverse("buyer-conversation", args=[conversation.pk])
    page.goto(composer)
    page.get_by_role("button", name="Tracking update").click()
    expect(page.locator("#id_body")).to_have_value(
        re.compile(r"Jennifer Ortiz.*Your parcel for 114-3941689-8772232 is on its way", re.S)
    )

    page.goto(live_server.url + reverse("saved-replies"))
    page.get_by_role("button", name="Remove Tracking update").click()
    expect(page.get_by_role("status")).to_contain_text("Removed “Tracking update”")
    page.goto(composer)
    expect(page.get_by_role("button", name="Tracking update")).to_have_count(0)
    page.goto(live_server.url + reverse("saved-replies"))
    page.get_by_role("button", name="Put back Tracking update").click()
    expect(page.get_by_role("status")).to_contain_text("Put back “Tracking update”")
    page.goto(composer)
    expect(page.get_by_role("button", name="Tracking update")).to_have_count(1)
    saved.refresh_from_db()
    assert saved.removed_at is None
    page.context.close()
