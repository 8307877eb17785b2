"""The order a conversation is about, shown beside it: Amazon's card (from `amazon`) and the
buyer's other conversations about the same order."""

from amazon.selectors import order_card
from amazon.services import order_refresh_request, orders_refresh_request
from buyers.models import Conversation


def order_context(*, conversation: Conversation) -> dict:
    """For the conversation page. Shows what is stored at once; an order that is new or
    stale is fetched by the worker (queued here, once), and the card polls until it is in."""
    if conversation.order_id:
        order_refresh_request(order_id=conversation.order_id, marketplace=conversation.marketplace)
    others = (
        Conversation.objects.filter(order_id=conversation.order_id)
        .exclude(pk=conversation.pk)
        .order_by("-last_message_at")
        if conversation.order_id
        else Conversation.objects.none()
    )
    return {
        "order_card": order_card(
            order_id=conversation.order_id, marketplace=conversation.marketplace
        ),
        "same_order": list(others[:20]),
    }


def orders_named(*, facts) -> None:
    """New buyer mail names orders: have the worker fetch them before anyone opens the page.
    `facts` are (order id, marketplace) pairs."""
    orders_refresh_request(named=set(facts))
