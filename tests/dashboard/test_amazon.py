"""Amazon's figures through the real `sp_api` library, against the local SP-API stand-in
(every answer it gives is validated against Amazon's official models)."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from amazon.models import Order, RateBudget, SellerAccount
from amazon.selectors import unshipped_orders
from amazon.spapi import RATE_LIMITS
from dashboard.models import AmazonSnapshot
from dashboard.services import account_from_settings, account_pull
from escalations.models import Escalation
from sellerdesk.devservers.spapi import INTERNAL, THROTTLED, health_report, make_order
from sellerdesk.devservers.standin import Fault
from tests.conftest import tomorrow_at
from tests.dashboard.fixtures import validate_health_document

pytestmark = pytest.mark.django_db


def pull():
    return account_pull(account=account_from_settings())


def test_unshipped_orders_over_several_pages_are_counted_and_ordered_by_ship_by(spapi):
    now = datetime.now(UTC)
    spapi.orders = [make_order(n, ship_by_hours=10 + n % 30, now=now) for n in range(230)]
    spapi.orders += [
        make_order(900, ship_by_hours=-3, now=now),
        make_order(901, ship_by_hours=2, now=now),
    ]
    spapi.orders += [make_order(902, status="SHIPPED", now=now)]
    report = pull()
    assert report.marketplaces["US"]["unshipped"] == 232
    assert spapi.count("searchOrders") == 3  # 100 a page
    snapshot = AmazonSnapshot.objects.get()
    rows = list(unshipped_orders(account_id=snapshot.account_id, marketplace="US"))
    assert len(rows) == 232 and snapshot.unshipped == 232 and snapshot.late == 1
    assert rows[0].ship_by < now < rows[1].ship_by < now + timedelta(hours=6)
    assert rows[0].items[0]["title"].startswith("Bamboo cutting board")
    assert rows[0].items[0]["sku"] and rows[0].items[0]["asin"]
    pull()  # the same late order again: the owner is told once
    [told] = Escalation.objects.filter(about="amazon")
    assert "past ship-by" in told.summary and rows[0].order_id in told.summary
    assert not Order.objects.filter(order_id=make_order(902)["orderId"]).exists()


def test_one_bad_metric_is_fair_with_the_area_named_and_one_escalation(spapi):
    spapi.report_document = health_report(bad=("lateShipmentRate",))
    validate_health_document(spapi.report_document)
    first = pull()
    assert first.marketplaces["US"]["performance"] == "Fair"
    assert first.marketplaces["US"]["failing_areas"] == [
        "Late Shipment Rate",
        "Account Health Rating",
    ]
    pull()  # the same again: no second escalation
    [told] = Escalation.objects.filter(about="amazon")
    assert "Fair" in told.summary and "Late Shipment Rate" in told.summary


def test_account_at_risk_is_poor(spapi):
    spapi.report_document = health_report(account="AT_RISK")
    found = pull().marketplaces["US"]
    assert found["performance"] == "Poor"
    assert "Account status AT_RISK" in found["failing_areas"]


def test_all_good_tells_nobody(spapi):
    assert pull().marketplaces["US"]["performance"] == "Good"
    assert not Escalation.objects.exists()


def test_a_report_missing_fields_or_with_unknown_ones_is_parsed_and_shown(spapi, client, assistant):
    document = health_report()
    metrics = document["performanceMetrics"][0]
    del metrics["validTrackingRate"]["rate"]
    del metrics["invoiceDefectRate"]
    metrics["brandNewMetric2027"] = {"status": "BAD", "rate": 0.2, "targetValue": 0.1}
    document["somethingNew"] = {"x": 1}
    spapi.report_document = document
    spapi.off_schema = True  # on purpose: Amazon's report changing under the desk
    found = pull().marketplaces["US"]
    assert found["performance"] == "Fair" and "brandNewMetric2027" in found["failing_areas"]
    snapshot = AmazonSnapshot.objects.get()
    assert "brandNewMetric2027" in snapshot.unknown_fields
    assert any("somethingNew" in p for p in snapshot.problems)


def test_a_broken_document_is_a_problem_not_a_crash(spapi):
    spapi.orders = [make_order(1)]
    spapi.broken_document = True
    found = pull().marketplaces["US"]
    assert found["unshipped"] == 1 and found["performance"] is None
    assert any("Seller performance" in p for p in found["problems"])
    assert SellerAccount.objects.get().last_error


def test_429_then_success_is_retried_after_the_rate_allows(spapi, monkeypatch):
    spapi.orders = [make_order(1)]
    pull()  # signed in: the next request is the orders search
    spapi.fail_next(Fault(THROTTLED))
    waited = []
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:

        def wait(seconds):  # Amazon's clock moves on instead of the test sleeping
            waited.append(seconds)
            clock.shift(timedelta(seconds=seconds))

        monkeypatch.setattr("amazon.spapi._sleep", wait)
        assert pull().marketplaces["US"]["unshipped"] == 1
    assert max(waited) >= 1 / RATE_LIMITS["searchOrders"][0] - 1  # a whole token: ~180 s
    assert spapi.count("searchOrders") == 2  # the throttled call never reached the route
    assert len([r for r in spapi.requests if r.path.endswith("/orders")]) == 3
    budget = RateBudget.objects.get(operation="searchOrders")
    assert budget.tokens < RATE_LIMITS["searchOrders"][1] - 1


def test_5xx_then_success_is_retried(spapi):
    spapi.orders = [make_order(1)]
    pull()
    spapi.fail_next(Fault(INTERNAL))
    assert pull().marketplaces["US"]["unshipped"] == 1
    assert len([r for r in spapi.requests if r.path.endswith("/orders")]) == 3


def test_two_pulls_of_one_account_never_run_at_once(spapi):
    account = account_from_settings()
    SellerAccount.objects.filter(pk=account.pk).update(
        pull_lease_until=datetime.now(UTC) + timedelta(minutes=5)
    )
    assert account_pull(account=account).skipped
    assert not spapi.calls


def test_a_day_of_scheduled_pulls_stays_inside_amazons_rate_limits(spapi, settings):
    spapi.orders = [make_order(n) for n in range(150)]  # two pages a pull
    start = tomorrow_at(0)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(24 * 60 // settings.AMAZON_PULL_MINUTES):
            report = pull()
            assert not report.errors, report.errors
            clock.shift(timedelta(minutes=settings.AMAZON_PULL_MINUTES))
    for operation, (rate, burst) in RATE_LIMITS.items():
        times = sorted(t for op, t in spapi.calls if op == operation)
        assert len(times) <= rate * 86400 + burst, (operation, len(times))
        tokens, last = float(burst), None
        for moment in times:  # Amazon's token bucket, replayed
            if last is not None:
                tokens = min(burst, tokens + (moment - last) * rate)
            tokens -= 1
            last = moment
            assert tokens >= 0, f"{operation} over its limit"
    assert spapi.count("searchOrders") == 2 * 96


def test_pull_amazon_json(spapi):
    spapi.orders = [make_order(1), make_order(2)]
    spapi.report_document = health_report(bad=("lateShipmentRate",))
    out = io.StringIO()
    call_command("pull_amazon", "--json", stdout=out)
    found = json.loads(out.getvalue())["default"]["US"]
    assert found["unshipped"] == 2 and found["performance"] == "Fair"
    assert "Late Shipment Rate" in found["failing_areas"]


def test_not_connected_is_said_plainly(settings):
    settings.SPAPI_REFRESH_TOKEN = ""
    with pytest.raises(CommandError, match="not connected"):
        call_command("pull_amazon")


def test_secrets_are_not_stored_in_clear(spapi):
    from django.db import connection

    account_from_settings()
    with connection.cursor() as cursor:
        cursor.execute("SELECT refresh_token, lwa_client_secret FROM dashboard_selleraccount")
        row = cursor.fetchone()
    assert spapi.refresh_token not in row[0] and spapi.client_secret not in row[1]


def test_admin_adds_a_second_account_with_secrets_kept_encrypted(client, admin_user):
    from django.urls import reverse

    client.force_login(admin_user)
    page = client.post(reverse("admin:amazon_selleraccount_add"), {
        "name": "eu", "lwa_app_id": "amzn1.application-oa2-client.x", "lwa_client_secret": "s3cret",
        "refresh_token": "Atzr|eu", "marketplaces": "uk, de", "is_active": "on",
    })  # fmt: skip
    assert page.status_code == 302, page.content.decode()[:2000]
    account = SellerAccount.objects.get(name="eu")
    assert account.marketplace_codes == ["UK", "DE"] and account.refresh_token == "Atzr|eu"
    bad = client.post(reverse("admin:amazon_selleraccount_add"), {
        "name": "x", "lwa_app_id": "a", "lwa_client_secret": "s", "refresh_token": "r",
        "marketplaces": "US,ZZ",
    })  # fmt: skip
    assert bad.status_code == 200 and "Unknown marketplace code" in bad.content.decode()


def test_the_checklist_says_not_connected_without_amazon(client, assistant, settings):
    settings.SPAPI_REFRESH_TOKEN = ""
    client.force_login(assistant)
    assert "Amazon is not connected" in client.get("/").content.decode()
    assert "not connected" in client.get("/amazon/").content.decode()


def test_the_amazon_page_shows_orders_and_performance(spapi, client, assistant):
    spapi.orders = [make_order(1, ship_by_hours=-2)]
    spapi.report_document = health_report(bad=("lateShipmentRate",))
    pull()
    client.force_login(assistant)
    page = client.get("/amazon/").content.decode()
    assert "Late Shipment Rate" in page and "Fair" in page and "Bamboo cutting board 1" in page
    home = client.get("/").content.decode()
    assert "1 past ship-by" in home


def test_the_rate_amazon_states_in_its_headers_is_the_one_kept(spapi):
    spapi.rate_limits["getReport"] = 0.5
    pull()
    assert RateBudget.objects.get(operation="getReport").rate == 0.5
