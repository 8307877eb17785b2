"""The Amazon page reads as people read: percentages with their target in words, times in
the desk's time zone, charts with axes and values once there are two days of figures, an
honest empty state before that; every failing area in the table; orders linked to Seller
Central."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amazon.models import Order, SellerAccount
from dashboard.models import AmazonSnapshot
from tests.browser.conftest import log_in, readme_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

RAW_FLOAT = re.compile(r"\d\.\d{3,}")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _snapshots(days: int) -> None:
    account = SellerAccount.objects.create(
        name="default", lwa_app_id="app", lwa_client_secret="s", refresh_token="t",
        marketplaces="DE",
    )  # fmt: skip
    now = timezone.now()
    for n in range(days):
        rate = 0.03203973037 + n * 0.0004
        AmazonSnapshot.objects.create(
            account=account, marketplace="DE", taken_at=now - timedelta(days=days - 1 - n),
            unshipped=3 + n % 5, late=1, performance="Fair", account_status="NORMAL",
            failing_areas=["Late Shipment Rate", "Account Health Rating"],
            metrics=[
                {"key": "lateShipmentRate", "name": "Late Shipment Rate", "status": "BAD",
                 "rate": rate, "target": 0.04, "condition": "LESS_THAN", "count": 7},
                {"key": "validTrackingRate", "name": "Valid Tracking Rate", "status": "GOOD",
                 "rate": 0.987654321, "target": 0.95, "condition": "GREATER_THAN"},
                {"key": "listingPolicyViolations", "name": "Listing Policy Violations",
                 "status": "GOOD", "rate": None, "target": 0, "condition": "", "count": 0},
            ],
            is_latest=n == days - 1,
        )  # fmt: skip
    Order.objects.create(
        account=account, marketplace="DE", order_id="303-1234567-1234567", status="UNSHIPPED",
        is_unshipped=True,
        purchased_at=now - timedelta(hours=30), ship_by=now + timedelta(hours=3),
        items=[{"quantity": 1, "title": "Bamboo cutting board"}],
    )  # fmt: skip


def _visible_text(page) -> str:
    return page.locator("main").inner_text()


def test_thirty_days_read_as_people_read_them(page, live_server, assistant):
    _snapshots(30)
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/amazon/")
    text = _visible_text(page)
    assert not RAW_FLOAT.search(text), RAW_FLOAT.findall(text)
    assert not ISO_TIME.search(text), ISO_TIME.findall(text)
    assert "4.4 %, target under 4 %" in text  # the last day's 0.0436...
    assert "98.8 %, target over 95 %" in text
    table = page.get_by_role("region", name="Account health, DE")
    for area in ("Late Shipment Rate", "Account Health Rating"):
        expect(table.get_by_role("row").filter(has_text=area)).to_contain_text("Failing")
    assert re.search(r"Last pulled today \d\d:\d\d", text), text
    order = page.get_by_role("link", name="303-1234567-1234567")
    expect(order).to_have_attribute(
        "href", "https://sellercentral.amazon.de/orders-v3/order/303-1234567-1234567"
    )
    charts = page.locator("figure.chart")
    late = charts.filter(has_text="Late Shipment Rate")
    svg = late.locator("svg")
    expect(svg.locator("line.axis")).to_have_count(2)
    expect(svg.locator("text.y-label")).to_have_count(3)
    expect(svg.locator("text.x-label")).to_have_count(3)
    expect(svg.locator("text.value")).to_contain_text(["4.4"])
    unshipped = charts.filter(has_text="Unshipped orders").locator("svg")
    expect(unshipped.locator("text.value").first).to_be_visible()
    readme_screenshot(page, "amazon")


def test_one_day_of_figures_shows_an_honest_empty_chart(page, live_server, assistant):
    _snapshots(1)
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/amazon/")
    late = page.locator("figure.chart").filter(has_text="Late Shipment Rate")
    expect(late).to_contain_text("Not enough data for a trend yet")
    expect(late.locator("svg")).to_have_count(0)
    text = _visible_text(page)
    assert not RAW_FLOAT.search(text) and not ISO_TIME.search(text), text
