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
    # The Good areas are folded below the failing ones.
    assert "98.8 %, target over 95 %" not in text
    page.get_by_text("2 areas Good").click()
    expect(page.get_by_role("region", name="Good areas, DE")).to_contain_text(
        "98.8 %, target over 95 %"
    )
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


# "3.2 %, target under 4 %": the figure, the condition's word and the target.
FIGURE = re.compile(r"([\d.]+) %, target (under|over|at most|at least) ([\d.]+) %")
HOLDS = {
    "under": lambda v, t: v < t, "over": lambda v, t: v > t,
    "at most": lambda v, t: v <= t, "at least": lambda v, t: v >= t,
}  # fmt: skip
REASON = "Amazon's own status is what counts"


@pytest.mark.parametrize("width", [360, 1280])
def test_no_status_contradicts_its_figure_without_saying_why(
    browser, live_server, assistant, width
):
    """Amazon's status and its figure may disagree (a rounded figure, another period, too few
    orders): the row says why, and Amazon's status counts. Failing areas come first, the
    health rating says its own word, and Refresh pulls from the page."""
    account = SellerAccount.objects.create(
        name="default", lwa_app_id="app", lwa_client_secret="s", refresh_token="t",
        marketplaces="US",
    )  # fmt: skip
    rows = [
        ("validTrackingRate", "Valid Tracking Rate", "GOOD", 0.99, 0.95, "GREATER_THAN"),
        ("unitOnTimeDeliveryRate", "Unit On-Time Delivery Rate", "GOOD", 0.885, 0.9,
         "GREATER_THAN"),
        ("preFulfillmentCancellationRate", "Pre-fulfillment Cancel Rate", "GOOD", 0.001, 0.025,
         "LESS_THAN"),
        ("lateShipmentRate", "Late Shipment Rate", "BAD", 0.032, 0.04, "LESS_THAN"),
        ("orderDefectRate", "Order Defect Rate", "BAD", 0.012, 0.01, "LESS_THAN"),
    ]  # fmt: skip
    AmazonSnapshot.objects.create(
        account=account, marketplace="US", taken_at=timezone.now(), unshipped=0, late=0,
        performance="Fair", account_status="NORMAL", is_latest=True,
        failing_areas=["Late Shipment Rate", "Order Defect Rate", "Account Health Rating"],
        metrics=[{"key": k, "name": n, "status": st, "rate": r, "target": t, "condition": c}
                 for k, n, st, r, t, c in rows],
    )  # fmt: skip
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    log_in(page, live_server, assistant.email)
    page.goto(f"{live_server.url}/amazon/")
    page.get_by_text("areas Good").click()
    checked = 0
    statuses = []
    tables = page.get_by_role("region", name=re.compile(r"^(Account health|Good areas), US$"))
    for row in tables.locator("tbody tr").all():
        text = row.inner_text()
        status = row.locator(".badge").first.inner_text()
        statuses.append(status)
        found = FIGURE.search(text)
        if not found:
            continue
        value, word, target = float(found[1]), found[2], float(found[3])
        contradicts = HOLDS[word](value, target) != (status == "Good")
        assert contradicts == (REASON in text), text
        checked += 1
    assert checked == len(rows)
    # Failing first, then the rest; the health rating with its own word.
    assert statuses[:3] == ["Failing"] * 3 and set(statuses[3:]) == {"Good"}, statuses
    expect(page.get_by_role("row").filter(has_text="Account Health Rating")).to_contain_text(
        "Warned"
    )
    page.get_by_role("button", name="Refresh now").click()
    expect(page).to_have_url(f"{live_server.url}/amazon/")
    expect(page.get_by_text("Refreshing")).to_be_visible()
    context.close()
