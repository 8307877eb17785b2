"""An Amazon escalation ends when its cause does: performance back to Good, the late orders
shipped. Through the real sp_api library to the SP-API stand-in."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dashboard.services import account_from_settings, account_pull
from escalations.chase import notify_due
from escalations.models import Escalation
from escalations.selectors import owner_items
from sellerdesk.devservers.spapi import health_report, make_order

pytestmark = pytest.mark.django_db


def pull():
    return account_pull(account=account_from_settings())


def test_performance_back_to_good_resolves_its_escalation(spapi):
    spapi.report_document = health_report(bad=("lateShipmentRate",))
    pull()
    escalation = Escalation.objects.get(cause__startswith="performance:")
    assert escalation.state == "open" and escalation.urgency == "urgent"
    spapi.report_document = health_report()
    pull()
    escalation.refresh_from_db()
    assert escalation.state == "resolved" and escalation.next_step_at is None
    assert "back to Good" in escalation.resolved_reason
    assert escalation not in owner_items()


def test_late_orders_shipped_resolve_theirs_and_are_never_chased(spapi):
    now = datetime.now(UTC)
    late = [make_order(n, ship_by_hours=-3, now=now) for n in range(2)]
    spapi.orders = [*late, make_order(7, ship_by_hours=30, now=now)]
    pull()
    escalation = Escalation.objects.get(cause__startswith="late:")
    spapi.orders = [late[0], make_order(7, ship_by_hours=30, now=now)]
    pull()
    escalation.refresh_from_db()
    assert escalation.state == "open", "one of them is still unshipped"
    spapi.orders = [make_order(7, ship_by_hours=30, now=now)]
    pull()
    escalation.refresh_from_db()
    assert escalation.state == "resolved"
    assert escalation.resolved_reason == "The late orders were shipped."
    with time_machine.travel(now + timedelta(days=3)):
        assert notify_due() == 0
