from django.http import Http404
from django.shortcuts import render

from amazon.selectors import order_card
from sellerdesk.roles import Role, role_required


@role_required(Role.ASSISTANT, Role.OWNER)
def order_card_fragment(request, order_id: str):
    """The order card alone: what a page showing "looking it up" polls until it is found."""
    card = order_card(order_id=order_id, marketplace=request.GET.get("marketplace", "")[:4])
    if card is None:
        raise Http404
    return render(request, "amazon/_order_card.html", {"card": card})
