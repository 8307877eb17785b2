"""Reads on Amazon's figures, for the checklist and the Amazon page."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from amazon.models import SellerAccount
from amazon.selectors import unshipped_counts, unshipped_orders
from dashboard.models import AmazonSnapshot
from dashboard.performance import AREA_NAMES


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
    """The health table's rows, failing first: every metric, then every failing area the
    snapshot names that no metric shows (the account's status, or the rating in a snapshot
    from before it was a metric). A row whose figure and Amazon's status disagree says why
    (`why`): Amazon's status is what counts."""
    rows = [dict(m) for m in snapshot.metrics]
    shown = {m.get("name") for m in rows}
    rating = AREA_NAMES["accountHealthRating"]
    rows += [
        {"name": area, "status": "BAD", **({"rating": "WARNED"} if area == rating else {})}
        for area in snapshot.failing_areas
        if area not in shown
    ]
    for row in rows:
        row["why"] = _disagreement(row)
    return sorted(rows, key=lambda r: {"BAD": 0, "GOOD": 2}.get(r.get("status"), 1))


# Amazon's targetCondition, as a test of the figure against the target.
MEETS = {
    "LESS_THAN": lambda v, t: v < t,
    "LESS_THAN_OR_EQUAL_TO": lambda v, t: v <= t,
    "GREATER_THAN": lambda v, t: v > t,
    "GREATER_THAN_OR_EQUAL_TO": lambda v, t: v >= t,
    "EQUAL_TO": lambda v, t: v == t,
    "EQUALS": lambda v, t: v == t,
}


def _disagreement(row: dict) -> str:
    """Why Amazon's status and the figure against its target disagree, or ""."""
    value = row.get("rate") if row.get("rate") is not None else row.get("count")
    test = MEETS.get(str(row.get("condition") or "").upper())
    if value is None or row.get("target") is None or test is None:
        return ""
    meets = test(value, row["target"])
    if row.get("status") == "BAD" and meets:
        return (
            "Amazon marks this failing although the figure meets the target; Amazon's own "
            "status is what counts (its figure may be rounded or cover another period). "
            "Check it in Seller Central."
        )
    if row.get("status") == "GOOD" and not meets:
        return (
            "Amazon marks this Good although the figure misses the target; Amazon's own "
            "status is what counts (the area may have too few orders to be judged yet)."
        )
    return ""


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
            # Failing (and unjudged) areas open; the Good ones folded below them.
            s.open_rows = [r for r in s.rows if r.get("status") != "GOOD"]
            s.good_rows = [r for r in s.rows if r.get("status") == "GOOD"]
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
