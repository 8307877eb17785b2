"""The move of seller accounts into `amazon` and of the snapshots' order lists into the
Order table, on a database built at the old migrations: nothing lost, no data touched."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("dashboard", "0003_snapshot_is_latest"), ("amazon", None)]
AFTER = [("dashboard", "0006_remove_snapshot_orders"), ("amazon", "0002_order")]


@pytest.fixture(autouse=True)
def _latest_afterwards():
    """Migrating back unapplies other apps' later migrations too: every app ends at its
    latest migration again, for the tests after these."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def row(order_id, ship_by, state="", title="Board", quantity=1):
    return {
        "order_id": order_id, "purchased": "2026-11-20T08:00:00Z", "ship_by": ship_by,
        "state": state, "status": "UNSHIPPED",
        "items": [{"title": title, "asin": "B000000001", "quantity": quantity}],
    }  # fmt: skip


def test_snapshots_orders_move_into_the_table_and_accounts_keep_their_rows():
    apps = migrate(BEFORE)
    Account = apps.get_model("dashboard", "SellerAccount")
    Budget = apps.get_model("dashboard", "RateBudget")
    Snapshot = apps.get_model("dashboard", "AmazonSnapshot")
    us = Account.objects.create(name="default", lwa_app_id="a", lwa_client_secret="s",
                                refresh_token="r", marketplaces="US,UK")  # fmt: skip
    Budget.objects.create(account=us, operation="searchOrders", rate=0.0056, burst=20, tokens=7)
    t0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    old = Snapshot.objects.create(account=us, marketplace="US", taken_at=t0, unshipped=2, late=1,
        orders=[row("111-0000001-0000001", "2026-11-21T06:00:00+00:00", "late"),
                row("111-0000002-0000002", "2026-11-22T06:00:00+00:00")])  # fmt: skip
    Snapshot.objects.create(account=us, marketplace="US", taken_at=t0 + timedelta(minutes=15),
        is_latest=True, unshipped=2, late=0,
        orders=[row("111-0000002-0000002", "2026-11-22T06:00:00+00:00", title="Board v2",
                    quantity=3),
                row("111-0000003-0000003", "2026-11-23T06:00:00+00:00")])  # fmt: skip
    Snapshot.objects.create(account=us, marketplace="UK", taken_at=t0, is_latest=True,
        unshipped=1, orders=[row("202-0000004-0000004", None)])  # fmt: skip
    empty = Snapshot.objects.create(account=us, marketplace="US", taken_at=t0 - timedelta(days=1))
    every_id = {r["order_id"] for s in Snapshot.objects.all() for r in s.orders}

    apps = migrate(AFTER)
    Order = apps.get_model("amazon", "Order")
    Account = apps.get_model("amazon", "SellerAccount")
    Snapshot = apps.get_model("dashboard", "AmazonSnapshot")
    assert set(Order.objects.values_list("order_id", flat=True)) == every_id
    account = Account.objects.get()
    assert account.pk == us.pk and account.refresh_token == "r"  # the same row, still readable
    assert account.budgets.get().tokens == 7
    # The snapshots' foreign key still reaches the account, through the moved model.
    assert Snapshot.objects.get(pk=old.pk).account.name == "default"
    assert Snapshot.objects.filter(pk=empty.pk, account__name="default").exists()
    assert set(account.snapshots.values_list("marketplace", flat=True)) == {"US", "UK"}

    gone, moved, new = (Order.objects.get(order_id=f"111-000000{n}-000000{n}") for n in (1, 2, 3))
    assert not gone.is_unshipped and moved.is_unshipped and new.is_unshipped
    assert gone.late_told_at == t0  # told when it first was late: not told again
    assert moved.items == [{"title": "Board v2", "asin": "B000000001", "sku": "", "quantity": 3}]
    assert moved.ship_by == datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
    assert moved.purchased_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert moved.fetched_at == t0 + timedelta(minutes=15) and moved.lookup == "found"
    uk = Order.objects.get(order_id="202-0000004-0000004")
    assert uk.marketplace == "UK" and uk.ship_by is None and uk.is_unshipped

    # And back: the newest snapshots get their lists again.
    apps = migrate(BEFORE)
    Snapshot = apps.get_model("dashboard", "AmazonSnapshot")
    latest = Snapshot.objects.get(marketplace="US", is_latest=True)
    assert [r["order_id"] for r in latest.orders] == ["111-0000002-0000002", "111-0000003-0000003"]
    migrate(AFTER)


def test_content_types_follow_the_moved_models():
    migrate(BEFORE)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.filter(app_label="amazon").delete()
    ContentType.objects.get_or_create(app_label="dashboard", model="selleraccount")
    migrate(AFTER)
    assert ContentType.objects.filter(app_label="amazon", model="selleraccount").exists()
    assert not ContentType.objects.filter(app_label="dashboard", model="selleraccount").exists()
