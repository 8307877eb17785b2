"""Reads on Amazon's data: orders for the cards and for the unshipped lists."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from amazon.models import Order
from amazon.services import ORDER_ID

# Seller Central's host per marketplace: the order page is on the marketplace's own domain.
SELLER_CENTRAL = {
    "US": "sellercentral.amazon.com", "CA": "sellercentral.amazon.ca",
    "MX": "sellercentral.amazon.com.mx", "BR": "sellercentral.amazon.com.br",
    "UK": "sellercentral.amazon.co.uk", "GB": "sellercentral.amazon.co.uk",
    "IE": "sellercentral.amazon.ie", "DE": "sellercentral.amazon.de",
    "FR": "sellercentral.amazon.fr", "IT": "sellercentral.amazon.it",
    "ES": "sellercentral.amazon.es", "NL": "sellercentral.amazon.nl",
    "SE": "sellercentral.amazon.se", "PL": "sellercentral.amazon.pl",
    "BE": "sellercentral.amazon.com.be", "TR": "sellercentral.amazon.com.tr",
    "AE": "sellercentral.amazon.ae", "SA": "sellercentral.amazon.sa",
    "EG": "sellercentral.amazon.eg", "IN": "sellercentral.amazon.in",
    "JP": "sellercentral.amazon.co.jp", "AU": "sellercentral.amazon.com.au",
    "SG": "sellercentral.amazon.sg", "ZA": "sellercentral.amazon.co.za",
}  # fmt: skip
STATUS_WORDS = {
    "PENDING_AVAILABILITY": "Pre-order, not released yet",
    "PENDING": "Pending (payment not confirmed yet)",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "Partly shipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Cancelled",
    "UNFULFILLABLE": "Cannot be fulfilled",
}
PACKAGE_WORDS = {
    "PENDING": "not handed to the carrier yet", "IN_TRANSIT": "in transit",
    "SHIPPED": "shipped", "DELIVERED": "delivered", "CANCELLED": "cancelled",
    "UNDELIVERABLE": "could not be delivered",
}  # fmt: skip


def seller_central_url(*, order_id: str, marketplace: str) -> str:
    host = SELLER_CENTRAL.get((marketplace or "").upper(), SELLER_CENTRAL["US"])
    return f"https://{host}/orders-v3/order/{order_id}"


@dataclass
class OrderCard:
    """What a page shows about an order a buyer names, in words."""

    order_id: str
    marketplace: str
    order: Order | None = None
    note: str = ""  # why there is nothing (more) to show
    problem: str = ""  # Amazon's error on the last try, shown beside what is stored
    looking_up: bool = False
    packages: list = field(default_factory=list)

    @property
    def seller_central_url(self) -> str:
        return seller_central_url(order_id=self.order_id, marketplace=self.marketplace)

    @property
    def found(self) -> bool:
        return self.order is not None and self.order.fetched_at is not None and not self.note

    @property
    def delivered(self) -> bool:
        return bool(self.packages) and all(p["status"] == "DELIVERED" for p in self.packages)

    @property
    def status(self) -> str:
        if self.order is None:
            return ""
        if self.delivered:
            return "Delivered"
        return STATUS_WORDS.get(self.order.status, self.order.status.title() or "Not known")

    @property
    def late(self) -> bool:
        order = self.order
        return bool(
            order and order.ship_by and order.status in ("UNSHIPPED", "PARTIALLY_SHIPPED")
            and order.ship_by < timezone.now()
        )  # fmt: skip


def _card(order_id: str, marketplace: str, order: Order | None) -> OrderCard:
    card = OrderCard(order_id=order_id, marketplace=marketplace)
    if not ORDER_ID.fullmatch(order_id):
        card.note = (
            f"“{order_id}” is not an Amazon order id (three, seven and seven digits, "
            "such as 113-1234567-1234567)."
        )
        return card
    if order is None:
        card.note = "Amazon is not connected, so the desk cannot look this order up."
        return card
    card.order, card.marketplace = order, order.marketplace or marketplace
    card.packages = [
        p | {"status_words": PACKAGE_WORDS.get(p.get("status"), p.get("status", "").lower())}
        for p in order.packages or []
    ]
    card.looking_up = order.lookup == Order.Lookup.PENDING
    if order.lookup == Order.Lookup.NOT_FOUND:
        card.note = (
            "Amazon says this order is not in this seller's account: check the id with the "
            "buyer, or whether it was bought from another seller."
        )
    elif order.lookup == Order.Lookup.INVALID:
        card.note = f"Amazon says “{order_id}” is not a valid order id."
    elif order.lookup == Order.Lookup.FAILED:
        throttled = " 429 " in f" {order.problem} " or "rate limit" in order.problem
        card.problem = (
            "Amazon is throttling the desk's requests; it will try again in a few minutes."
            if throttled
            else f"Amazon did not answer: {order.problem} The desk will try again."
        )
    return card


def order_card(*, order_id: str, marketplace: str = "") -> OrderCard | None:
    """The card for the order a conversation names; None when it names none."""
    order_id = (order_id or "").strip()
    if not order_id:
        return None
    order = (
        Order.objects.filter(order_id=order_id).first() if ORDER_ID.fullmatch(order_id) else None
    )
    return _card(order_id, marketplace, order)


def order_cards(*, order_ids: list[tuple[str, str]]) -> dict[str, OrderCard]:
    """Cards for several (order id, marketplace) at once, by order id: one query."""
    ids = {o for o, _ in order_ids if o}
    orders = {o.order_id: o for o in Order.objects.filter(order_id__in=ids)}
    return {o: _card(o, m, orders.get(o)) for o, m in order_ids if o}


def unshipped_orders(*, account_id: int, marketplace: str) -> QuerySet[Order]:
    """The orders the latest unshipped pull listed, soonest ship-by first."""
    return Order.objects.filter(
        account_id=account_id, marketplace=marketplace, is_unshipped=True
    ).order_by("ship_by", "order_id")


def unshipped_counts(*, now: datetime) -> dict:
    """How many orders are unshipped across the active accounts, and how many are late."""
    return Order.objects.filter(is_unshipped=True, account__is_active=True).aggregate(
        unshipped=Count("pk"), late=Count("pk", filter=Q(ship_by__lt=now))
    )
