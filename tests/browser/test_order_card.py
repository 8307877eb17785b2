"""The order card beside a buyer's conversation, in Chromium at a phone's and a desk's
width: a US order and a UK order, each with its Seller Central link on its own domain."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from buyers.models import Conversation
from sellerdesk.devservers.spapi import make_order
from tests.browser.conftest import log_in
from tests.browser.test_checklist import _axe

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS = {  # marketplace: (order id, relay domain, Amazon's marketplace id, Seller Central)
    "US": ("113-5550001-0000001", "com", "ATVPDKIKX0DER", "sellercentral.amazon.com"),
    "UK": ("202-5550002-0000002", "co.uk", "A1F83G8C2ARO7P", "sellercentral.amazon.co.uk"),
}


@pytest.mark.parametrize("width", [360, 1280])
def test_order_card_and_seller_central_link_for_a_us_and_a_uk_order(
    browser, live_server, assistant, spapi, tasks_run_at_once, width
):
    spapi.orders = [
        make_order(1, order_id=ORDERS["US"][0], title="Walnut serving board", quantity=2),
        make_order(2, order_id=ORDERS["UK"][0], marketplace_id=ORDERS["UK"][2], status="SHIPPED",
                   title="Teak chopping block", quantity=1,
                   tracking=("Royal Mail", "RR123456789GB", "IN_TRANSIT")),
    ]  # fmt: skip
    now = timezone.now()
    conversations = {
        code: Conversation.objects.create(
            relay_address=f"buyer-{code.lower()}@marketplace.amazon.{tld}",
            order_id=order_id,
            buyer_name=f"Buyer {code}",
            marketplace=code,
            waiting_since=now,
            last_message_at=now,
            due_at=now + timedelta(hours=24),
        )
        for code, (order_id, tld, _, _) in ORDERS.items()
    }
    # axe-core is injected as an inline script: the desk's CSP would refuse it.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, assistant.email)
    for code, (order_id, _, _, host) in ORDERS.items():
        page.goto(f"{live_server.url}/buyers/{conversations[code].pk}/")
        card = page.locator("#order-card")
        expect(card).to_contain_text(f"Order {order_id}")
        if code == "US":
            expect(card).to_contain_text("Unshipped")
            expect(card).to_contain_text("2 × Walnut serving board")
            expect(card).to_contain_text("ship by")
        else:
            expect(card).to_contain_text("Shipped")
            expect(card).to_contain_text("1 × Teak chopping block")
            expect(card).to_contain_text("RR123456789GB")
        link = card.get_by_role("link", name="Open in Seller Central")
        expect(link).to_have_attribute("href", f"https://{host}/orders-v3/order/{order_id}")
        assert link.is_visible()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box
        # Nothing in the card runs off the screen (measured on the card alone).
        wide = page.evaluate("""() => [...document.querySelectorAll('#order-card, #order-card *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + ' ' + e.textContent.slice(0, 40))""")
        assert not wide, wide
        assert not _axe(page), _axe(page)
    assert spapi.count("getOrder") == 2  # one each, however many renders
    context.close()
