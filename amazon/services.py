"""Writes on Amazon's data: the default seller account, and orders.

An order is fetched once and kept. It is asked of Amazon again only when its last try is
older than ORDER_REFRESH_MINUTES and it is not final; whoever asks first claims the row
with a conditional UPDATE (`refreshing_until`), so two page views and two workers cause one
`getOrder`. Amazon is never called inside a database transaction.
"""

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amazon.models import Order, SellerAccount
from amazon.spapi import Client, SpApiError, is_marketplace, marketplace_code

log = logging.getLogger(__name__)

ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}", re.ASCII)  # ASCII digits: \d alone takes any script's
FINAL_STATUSES = {"CANCELLED", "UNFULFILLABLE"}
UNSHIPPED = ("UNSHIPPED", "PARTIALLY_SHIPPED")
PACKAGE_ENDS = {"DELIVERED", "CANCELLED", "UNDELIVERABLE"}
# An order Amazon says is not in the account is asked again only after this long.
NOT_FOUND_RECHECK = timedelta(days=1)
ORDER_TASK = "amazon.tasks.order_refresh"


def account_from_settings() -> SellerAccount | None:
    """The default account, kept in step with SPAPI_*. None when they are unset."""
    if not settings.SPAPI_REFRESH_TOKEN:
        return None
    values = {
        "lwa_app_id": settings.SPAPI_LWA_APP_ID,
        "marketplaces": ",".join(settings.SPAPI_MARKETPLACES),
    }
    account, created = SellerAccount.objects.get_or_create(
        name=SellerAccount.DEFAULT_NAME,
        defaults={
            **values,
            "lwa_client_secret": settings.SPAPI_LWA_CLIENT_SECRET,
            "refresh_token": settings.SPAPI_REFRESH_TOKEN,
        },
    )
    if not created and (
        any(getattr(account, k) != v for k, v in values.items())
        or account.lwa_client_secret != settings.SPAPI_LWA_CLIENT_SECRET
        or account.refresh_token != settings.SPAPI_REFRESH_TOKEN
    ):
        for key, value in values.items():
            setattr(account, key, value)
        account.lwa_client_secret = settings.SPAPI_LWA_CLIENT_SECRET
        account.refresh_token = settings.SPAPI_REFRESH_TOKEN
        account.save()
    return account


# --- Amazon's order, read into columns (pure) ----------------------------------------------


def _time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def order_fields(order: dict) -> dict:
    """The columns of an Order from Amazon's `Order` (searchOrders or getOrder). Fields the
    answer lacks are left out, so a search (no packages) keeps the tracking getOrder gave."""
    fulfillment = order.get("fulfillment") or {}
    ship = fulfillment.get("shipByWindow") or {}
    deliver = fulfillment.get("deliverByWindow") or {}
    status = fulfillment.get("fulfillmentStatus") or ""
    fields = {
        "purchased_at": _time(order.get("createdTime")),
        "marketplace": marketplace_code(
            (order.get("salesChannel") or {}).get("marketplaceId") or ""
        ),
        "amazon_updated_at": _time(order.get("lastUpdatedTime")),
        "items": [
            {
                "title": ((item.get("product") or {}).get("title") or "")[:300],
                "asin": (item.get("product") or {}).get("asin") or "",
                "sku": (item.get("product") or {}).get("sellerSku") or "",
                "quantity": item.get("quantityOrdered") or 0,
            }
            for item in order.get("orderItems") or []
        ],
    }
    if fulfillment:
        fields |= {
            "status": status[:24],
            "ship_by_earliest": _time(ship.get("earliestDateTime")),
            "ship_by": _time(ship.get("latestDateTime")),
            "deliver_by_earliest": _time(deliver.get("earliestDateTime")),
            "deliver_by": _time(deliver.get("latestDateTime")),
            "fulfilled_by": (fulfillment.get("fulfilledBy") or "")[:10],
            "service_level": (fulfillment.get("fulfillmentServiceLevel") or "")[:20],
        }
    if "packages" in order:
        fields["packages"] = [
            {
                "carrier": package.get("carrier") or "",
                "service": package.get("shippingService") or "",
                "tracking_number": package.get("trackingNumber") or "",
                "status": (package.get("packageStatus") or {}).get("status") or "",
                "detail": (package.get("packageStatus") or {}).get("detailedStatus") or "",
                "shipped_at": package.get("shipTime") or "",
            }
            for package in order.get("packages") or []
        ]
    if not fields["marketplace"]:
        del fields["marketplace"]  # an id the desk does not know: keep the one it asked
    if "status" in fields:
        packages = fields.get("packages", [])
        fields["is_final"] = status in FINAL_STATUSES or (
            status == "SHIPPED"
            # Amazon-fulfilled orders carry no packages: nothing more to learn from here.
            and all(p["status"] in PACKAGE_ENDS for p in packages)
        )
    return fields


# --- The unshipped pull ------------------------------------------------------------------


UNSHIPPED_FIELDS = [
    "account", "marketplace", "status", "purchased_at", "amazon_updated_at",
    "ship_by_earliest", "ship_by", "deliver_by_earliest", "deliver_by", "fulfilled_by",
    "service_level", "items", "is_final", "is_unshipped", "lookup", "problem", "fetched_at",
    "tried_at",
]  # fmt: skip


def orders_unshipped_store(
    *, account: SellerAccount, marketplace: str, orders: list[dict], now: datetime
) -> int:
    """Store the unshipped pull's list for one account and marketplace: every order in it
    is written (found, fresh), every order no longer in it is no longer unshipped."""
    rows = []
    for found in orders:
        order_id = (found.get("orderId") or "")[:40]
        if order_id:
            rows.append(
                Order(
                    account=account,
                    order_id=order_id,
                    is_unshipped=True,
                    lookup=Order.Lookup.FOUND,
                    problem="",
                    fetched_at=now,
                    tried_at=now,
                    # The marketplace pulled is the one the order counts under.
                    **(order_fields(found) | {"marketplace": marketplace}),
                )
            )
    with transaction.atomic():
        Order.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["order_id"],
            update_fields=UNSHIPPED_FIELDS,
        )
        Order.objects.filter(account=account, marketplace=marketplace, is_unshipped=True).exclude(
            order_id__in=[r.order_id for r in rows]
        ).update(is_unshipped=False)
    return len(rows)


def orders_late_untold(*, account: SellerAccount, marketplace: str, now: datetime) -> list[str]:
    """Unshipped orders past their ship-by time the owner was not told about yet, marked as
    told (the caller tells)."""
    late = Order.objects.filter(
        account=account, marketplace=marketplace, is_unshipped=True, ship_by__lt=now,
        late_told_at__isnull=True,
    )  # fmt: skip
    order_ids = sorted(late.values_list("order_id", flat=True))
    Order.objects.filter(order_id__in=order_ids).update(late_told_at=now)
    return order_ids


# --- An order a buyer names ----------------------------------------------------------------


def _lease() -> timedelta:
    """Longer than the slowest getOrder: every retry waiting for the bucket and timing out."""
    attempts = settings.SPAPI_RETRIES + 1
    worst = attempts * (settings.SPAPI_MAX_WAIT_SECONDS + settings.SPAPI_TIMEOUT)
    return timedelta(seconds=worst + settings.SPAPI_BACKOFF_SECONDS * 2**attempts + 30)


def _due(now: datetime) -> Q:
    """Rows worth asking Amazon about now: not final, no refresh running, last tried long
    enough ago (a day for an order Amazon said it does not know)."""
    refresh = timedelta(minutes=settings.ORDER_REFRESH_MINUTES)
    idle = Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now)
    stale = (
        Q(tried_at__isnull=True)
        | (Q(tried_at__lt=now - refresh) & ~Q(lookup=Order.Lookup.NOT_FOUND))
        | Q(tried_at__lt=now - NOT_FOUND_RECHECK)
    )
    return idle & stale & Q(is_final=False)


def account_for_marketplace(marketplace: str) -> SellerAccount | None:
    """The active account selling on `marketplace`, else the first active one."""
    account_from_settings()
    accounts = list(SellerAccount.objects.filter(is_active=True).order_by("pk"))
    chosen = next((a for a in accounts if marketplace in a.marketplace_codes), None)
    return chosen or (accounts[0] if accounts else None)


def order_refresh_request(*, order_id: str, marketplace: str = "") -> Order | None:
    """Make sure the desk has (or is getting) the order a buyer names: the row is made if
    it is new, and a refresh task is queued when the order is due, at most once per lease.
    Cheap: no call to Amazon here. None when the id is malformed or Amazon not connected."""
    order_id = (order_id or "").strip()
    if not ORDER_ID.fullmatch(order_id):
        return None
    account = account_for_marketplace(marketplace)
    if account is None:
        return None
    # The buyer's relay domain names the marketplace (and so Amazon's regional endpoint).
    code = marketplace if is_marketplace(marketplace) else account.marketplace_codes[0]
    order, _ = Order.objects.get_or_create(
        order_id=order_id, defaults={"account": account, "marketplace": code}
    )
    now = timezone.now()
    queued = (
        Order.objects.filter(_due(now), pk=order.pk)
        .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - _lease()))
        .update(requested_at=now)
    )
    if queued:
        from django_q.tasks import async_task

        transaction.on_commit(lambda: async_task(ORDER_TASK, order.pk, group="orders"))
    return order


def orders_refresh_request(*, named: set[tuple[str, str]]) -> None:
    """order_refresh_request for each (order id, marketplace) in new buyer mail."""
    for order_id, marketplace in sorted(named):
        if order_id:
            order_refresh_request(order_id=order_id, marketplace=marketplace)


def order_refresh(*, order_pk: int, client: Client | None = None) -> Order:
    """getOrder for one order, if it is due and this worker claims it; the answer (the
    order, "not in this account", "not an order id", or Amazon's error) goes in its row."""
    now = timezone.now()
    lease = now + _lease()
    claimed = Order.objects.filter(_due(now), pk=order_pk).update(refreshing_until=lease)
    order = Order.objects.select_related("account").get(pk=order_pk)
    if not claimed:
        return order
    values: dict = {"refreshing_until": None, "requested_at": None}
    try:
        found = (client or Client(order.account)).order(order.marketplace, order.order_id)
    except SpApiError as exc:
        if exc.status == 404:
            values |= {"lookup": Order.Lookup.NOT_FOUND, "problem": "", "fetched_at": now}
        elif exc.status == 400:
            values |= {"lookup": Order.Lookup.INVALID, "problem": str(exc)[:500],
                       "is_final": True}  # fmt: skip
        else:
            log.warning("getOrder %s failed: %s", order.order_id, exc)
            values |= {"lookup": Order.Lookup.FAILED, "problem": str(exc)[:500]}
    else:
        values |= order_fields(found) | {
            "lookup": Order.Lookup.FOUND, "problem": "", "fetched_at": timezone.now(),
        }  # fmt: skip
        if values.get("status") not in (None, *UNSHIPPED):
            values["is_unshipped"] = False  # shipped or cancelled since the last pull
    values["tried_at"] = timezone.now()
    # Only while the claim is still ours: a worker that outlived its lease writes nothing.
    Order.objects.filter(pk=order_pk, refreshing_until=lease).update(**values)
    order.refresh_from_db()
    return order
