"""Reads on Amazon's figures, for the checklist and the Amazon page."""

from django.conf import settings

from dashboard.models import AmazonSnapshot, SellerAccount


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


def amazon_summary() -> dict:
    """What the checklist says about Amazon: unshipped (and late) orders, the worst
    performance, its failing areas, when it was last pulled."""
    if not amazon_connected():
        return {"connected": False}
    snapshots = latest_snapshots()
    order = {"Good": 0, "Fair": 1, "Poor": 2}
    judged = [s for s in snapshots if s.performance]
    worst = max(judged, key=lambda s: order[s.performance]) if judged else None
    counted = [s for s in snapshots if s.unshipped is not None]
    return {
        "connected": True,
        "snapshots": snapshots,
        "unshipped": sum(s.unshipped for s in counted) if counted else None,
        "late": sum(s.late or 0 for s in counted) if counted else None,
        "performance": worst.performance if worst else None,
        "failing_areas": [f"{a} ({s.marketplace})" for s in judged for a in s.failing_areas],
        "last_pull": max((s.taken_at for s in snapshots), default=None),
        "problems": [p for s in snapshots for p in s.problems],
    }
