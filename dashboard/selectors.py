"""Reads on Amazon's figures, for the checklist and the Amazon page."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from amazon.models import SellerAccount
from amazon.selectors import unshipped_counts, unshipped_orders
from dashboard.models import AmazonSnapshot


def amazon_connected() -> bool:
    """An account in admin, or SPAPI_* set (its row is made by the first pull). Reads only:
    the pages never write."""
    return (
        bool(settings.SPAPI_REFRESH_TOKEN) or SellerAccount.objects.filter(is_active=True).exists()
    )


def latest_snapshots() -> list[AmazonSnapshot]:
    """The newest snapshot of every active account and marketplace."""
    return list(
        AmazonSnapshot.objects.filter(account__is_active=True, is_latest=True)
        .select_related("account")
        .order_by("account__name", "marketplace")
    )


def health_rows(snapshot: AmazonSnapshot) -> list[dict]:
    """The health table's rows: every metric, then every failing area the snapshot names
    that no metric shows (the Account Health Rating, the account's status)."""
    rows = [dict(m) for m in snapshot.metrics]
    shown = {m.get("name") for m in rows}
    rows += [
        {"name": area, "status": "BAD"} for area in snapshot.failing_areas if area not in shown
    ]
    return rows


def amazon_summary(*, with_orders: bool = False) -> dict:
    """What the checklist says about Amazon: unshipped (and late) orders, the worst
    performance, its failing areas, when it was last pulled. The orders are the table's
    (`amazon.Order`); `with_orders` lists them per snapshot, for the Amazon page."""
    if not amazon_connected():
        return {"connected": False}
    now = timezone.now()
    snapshots = latest_snapshots()
    if with_orders:
        warn = timedelta(hours=settings.SHIP_BY_WARN_HOURS)
        for s in snapshots:
            s.unshipped_orders = [
                (o, "" if o.ship_by is None else "late" if o.ship_by < now
                 else "due soon" if o.ship_by - now < warn else "")
                for o in unshipped_orders(account_id=s.account_id, marketplace=s.marketplace)
            ]  # fmt: skip
            s.rows = health_rows(s)
    order = {"Good": 0, "Fair": 1, "Poor": 2}
    judged = [s for s in snapshots if s.performance]
    worst = max(judged, key=lambda s: order[s.performance]) if judged else None
    orders = unshipped_counts(now=now)  # one query, pulled or not
    if all(s.unshipped is None for s in snapshots):
        orders = {"unshipped": None, "late": None}  # never pulled: not known, not zero
    return {
        "connected": True,
        "snapshots": snapshots,
        "unshipped": orders["unshipped"],
        "late": orders["late"],
        "performance": worst.performance if worst else None,
        "failing_areas": [f"{a} ({s.marketplace})" for s in judged for a in s.failing_areas],
        "last_pull": max((s.taken_at for s in snapshots), default=None),
        "problems": [p for s in snapshots for p in s.problems],
    }
