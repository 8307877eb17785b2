"""The owner's page on a phone: what waits for them, answerable with a thumb; the README's
picture of it."""

import pytest
from playwright.sync_api import expect

from buyers.models import Conversation
from escalations.services import escalation_open
from inbox.sync import mailbox_sync
from tests.browser.conftest import log_in, readme_screenshot
from tests.inbox.conftest import load_samples

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_owner_answers_on_a_phone(phone, live_server, owner, mailbox, desk_mailbox,
                                      seed_rules):  # fmt: skip
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    marcus = Conversation.objects.filter(buyer_name__startswith="Marcus").first()
    escalation_open(about="draft", summary="Approve a reply to Marcus about washing the board",
                    conversation=marcus,
                    draft="Hello Marcus,\n\nThe board is hand wash only: warm water, a little "
                          "soap, and dry it standing up.\n\nBest regards,\nAnna")  # fmt: skip
    escalation_open(about="buyer_question", summary="Can we ship to Norway before Friday?",
                    conversation=marcus)  # fmt: skip
    log_in(phone, live_server, owner.email)
    expect(phone.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(phone.get_by_role("button", name="Approve and send")).to_be_visible()
    sideways = phone.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert sideways <= 0
    height = phone.get_by_role("button", name="Send answer").first.bounding_box()["height"]
    assert height >= 44
    readme_screenshot(phone, "owner-phone")


def test_the_owner_approves_from_a_texts_link_and_sees_what_happened_and_what_waits(
    phone, live_server, assistant, mailbox, desk_mailbox, seed_rules, smtp, twilio
):
    from urllib.parse import urlsplit

    from escalations.chase import notify_due
    from escalations.delivery import deliver_due
    from tests.escalations.fixtures import LINK

    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    marcus = Conversation.objects.filter(buyer_name__startswith="Marcus").first()
    draft = escalation_open(about="draft", summary="Approve a reply to Marcus about the board",
                            conversation=marcus,
                            draft="Hello Marcus,\n\nThe board is hand wash only.\n\n"
                                  "Best regards,\nAnna")  # fmt: skip
    question = escalation_open(about="note", summary="Can we ship to Norway before Friday?")
    notify_due()
    deliver_due()
    [text] = [m["body"] for m in twilio.accepted]
    assert f"#{draft.reference}" in text and f"#{question.reference}" in text  # one digest
    link = urlsplit(LINK.search(text)[1]).path
    phone.goto(f"{live_server.url}{link}")
    card = phone.locator(f"#e{draft.pk}")
    card.get_by_role("button", name="Approve and send").click()

    expect(phone.get_by_role("status")).to_contain_text(f"Approved #{draft.reference}")
    done = phone.get_by_role("region", name="Done")
    expect(done).to_contain_text("Reply sent to Marcus Lee")
    expect(phone.locator(f"#e{question.pk}")).to_contain_text("Norway")
    expect(phone.get_by_role("button", name="Send answer")).to_be_visible()
    expect(phone.locator("input[type=password]")).to_have_count(0)
    assert "/login" not in phone.url
    assert phone.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
    [sent] = smtp.received
    assert "hand wash only" in sent.message.get_content()

    phone.reload()  # a reload after the post sends nothing again
    expect(done).to_contain_text("Reply sent to Marcus Lee")
    assert len(smtp.received) == 1


def test_no_link_from_a_mail_is_clickable_on_the_owners_page(phone, live_server, owner, db):
    from inbox.models import Folder, Mailbox, Message, MessageContent

    box = Mailbox.objects.create(name="shop", host="127.0.0.1", username="u", password="p")
    inbox = Folder.objects.create(mailbox=box, role="inbox", name="INBOX")
    mail = Message.objects.create(
        mailbox=box, folder=inbox, origin=inbox, uid=1, content_hash="h1",
        from_name="\u0410mazon Seller Supp\u043ert", from_address="support@amzn-verify.test",
        subject="Account on hold \u202ekcab\u202c",
    )  # fmt: skip
    MessageContent.objects.create(
        message=mail,
        html='<p>Verify at <a href="https://amzn-verify.test/login">amzn-verify.test/login</a>'
        ' or write to <a href="mailto:billing@amzn-verify.test">billing</a>.</p>',
        text="Verify at amzn-verify.test/login",
    )
    escalation_open(about="mail", summary="Amazon? says the account is on hold", mail=mail)
    log_in(phone, live_server, owner.email)
    phone.get_by_text("The mail").click()
    body = phone.locator(".mail-body")
    expect(body).to_contain_text("Verify at amzn-verify.test/login")
    assert phone.locator("main a[href*='amzn-verify'], main a[href^='mailto:']").count() == 0
    expect(phone.get_by_text("Not from Amazon: the name imitates Amazon")).to_be_visible()
    assert "\u202e" not in phone.locator("main").inner_text()
