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
