"""The owner's list by urgency: how many wait, the urgent ones first with a badge, the
buyer's deadline on each; what the owner answered apart; Dismiss asks before it acts."""

import pytest
from playwright.sync_api import expect

from buyers.models import Conversation
from escalations.models import Escalation
from escalations.services import escalation_answer, escalation_open
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_urgent_first_with_a_count_and_dismiss_asks(browser, live_server, owner, width):
    ann = Conversation.objects.create(relay_address="ann@marketplace.amazon.com",
                                      buyer_name="Ann", order_id="111-0000001-0000001")  # fmt: skip
    for n in range(4):
        escalation_open(about="note", summary=f"Supplier question {n}")
    escalation_open(about="amazon", summary="A-to-z claim on order 111-2: answer by Friday",
                    urgency=Escalation.Urgency.URGENT)  # fmt: skip
    for n in range(2):
        escalation_open(about="note", summary=f"Later question {n}")
    escalation_open(about="amazon", summary="Policy warning: listing removed",
                    urgency=Escalation.Urgency.URGENT)  # fmt: skip
    draft = escalation_open(about="draft", summary="Approve a reply to Ann", conversation=ann,
                            draft="Hello Ann, the refund is on its way.")  # fmt: skip
    answered = escalation_open(about="note", summary="Restock the blue boards?")
    escalation_answer(escalation=answered, kind="text", text="Yes, 200 of them.", via="page")

    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, owner.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("9 waiting for you 2 urgent")
    cards = page.locator("article.owner-item h2")
    titles = cards.all_inner_texts()
    assert "Urgent" in titles[0] and "Policy warning" in titles[0], titles
    assert "Urgent" in titles[1] and "A-to-z claim" in titles[1], titles
    assert not any("Urgent" in t for t in titles[2:]), titles
    # The urgent ones are on the first screen, on a phone too.
    for title in ("Policy warning", "A-to-z claim"):
        expect(cards.filter(has_text=title)).to_be_in_viewport()
    # What the owner answered is apart, not under what waits.
    assert not any("Restock" in t for t in titles)
    expect(page.locator("section.owner-answered")).to_contain_text("Yes, 200 of them.")

    # Dismiss asks first: the first press only opens the question.
    card = page.locator(f"#e{draft.pk}")
    card.get_by_text("Dismiss…").click()
    draft.refresh_from_db()
    assert draft.state == Escalation.State.OPEN
    expect(card.get_by_text("The draft will not be sent.")).to_be_visible()
    card.get_by_role("button", name="Yes, dismiss").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("8 waiting for you 2 urgent")
    draft.refresh_from_db()
    assert draft.answer_kind == "dismissed"
    sideways = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    assert sideways <= 0
    context.close()
