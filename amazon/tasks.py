"""Worker tasks for Amazon orders: thin doors into the services."""

from amazon.services import order_refresh as _order_refresh


def order_refresh(order_pk: int) -> str:
    return _order_refresh(order_pk=order_pk).lookup
