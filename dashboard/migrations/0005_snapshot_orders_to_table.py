# Every order in every snapshot's JSON list becomes a row of amazon.Order: the newest
# snapshot that lists an order says its state; an order in the newest snapshot of its
# account and marketplace is unshipped; one ever listed past ship-by was told to the owner
# (when it first was). Backwards, the newest snapshots get their lists back from the table.

from datetime import datetime

from django.db import migrations


def _time(value):
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def forwards(apps, schema_editor):
    Snapshot = apps.get_model("dashboard", "AmazonSnapshot")
    Order = apps.get_model("amazon", "Order")
    found = {}
    snapshots = Snapshot.objects.order_by("taken_at", "pk").only(
        "account_id", "marketplace", "taken_at", "is_latest", "orders"
    )
    for snapshot in snapshots.iterator(chunk_size=200):
        for row in snapshot.orders or []:
            order_id = (row.get("order_id") or "").strip()[:40]
            if not order_id:
                continue
            before = found.get(order_id)
            late_told = before.late_told_at if before else None
            if row.get("state") == "late" and late_told is None:
                late_told = snapshot.taken_at
            found[order_id] = Order(
                account_id=snapshot.account_id,
                order_id=order_id,
                marketplace=snapshot.marketplace,
                status=(row.get("status") or "")[:24],
                purchased_at=_time(row.get("purchased")),
                ship_by=_time(row.get("ship_by")),
                items=[
                    {
                        "title": item.get("title") or "",
                        "asin": item.get("asin") or "",
                        "sku": item.get("sku") or "",
                        "quantity": item.get("quantity") or 0,
                    }
                    for item in row.get("items") or []
                ],
                is_unshipped=snapshot.is_latest,
                late_told_at=late_told,
                lookup="found",
                fetched_at=snapshot.taken_at,
                tried_at=snapshot.taken_at,
            )
    Order.objects.bulk_create(found.values(), batch_size=500, ignore_conflicts=True)


def backwards(apps, schema_editor):
    Snapshot = apps.get_model("dashboard", "AmazonSnapshot")
    Order = apps.get_model("amazon", "Order")
    for snapshot in Snapshot.objects.filter(is_latest=True):
        orders = Order.objects.filter(
            account_id=snapshot.account_id, marketplace=snapshot.marketplace, is_unshipped=True
        ).order_by("ship_by", "order_id")
        snapshot.orders = [
            {
                "order_id": o.order_id,
                "purchased": o.purchased_at.isoformat() if o.purchased_at else None,
                "ship_by": o.ship_by.isoformat() if o.ship_by else None,
                "state": "",
                "status": o.status,
                "items": [
                    {"title": i.get("title", ""), "asin": i.get("asin", ""),
                     "quantity": i.get("quantity", 0)}
                    for i in o.items
                ],
            }
            for o in orders
        ]
        snapshot.save(update_fields=["orders"])


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0004_accounts_move_to_amazon"),
        ("amazon", "0002_order"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
