"""{% order_line order_id marketplace %}: the compact order card, for pages of apps that
know an order id but not Amazon (the owner's page)."""

from django import template

from amazon.selectors import order_card

register = template.Library()


@register.inclusion_tag("amazon/_order_card.html")
def order_line(order_id: str, marketplace: str = ""):
    return {"card": order_card(order_id=order_id, marketplace=marketplace), "compact": True}
