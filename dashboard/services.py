"""Pulling Amazon's figures: unshipped orders and seller performance, per account and
marketplace, stored as snapshots; the owner is told when something turns bad."""

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dashboard.checklist import checklist_json, checklist_state
from dashboard.models import AmazonSnapshot, SellerAccount, Shift
from dashboard.performance import GOOD, parse_report
from dashboard.spapi import Client, SpApiError
from escalations.services import escalation_open

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)


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


@dataclass
class PullReport:
    account: str
    skipped: bool = False
    marketplaces: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def order_rows(orders: list[dict], now: datetime) -> list[dict]:
    """What the desk shows of each unshipped order, most urgent first."""
    warn = timedelta(hours=settings.SHIP_BY_WARN_HOURS)
    rows = []
    for order in orders:
        fulfillment = order.get("fulfillment") or {}
        ship_by = _parse_time((fulfillment.get("shipByWindow") or {}).get("latestDateTime"))
        items = [
            {
                "title": ((item.get("product") or {}).get("title") or "")[:200],
                "asin": (item.get("product") or {}).get("asin") or "",
                "quantity": item.get("quantityOrdered") or 0,
            }
            for item in order.get("orderItems") or []
        ]
        state = (
            ""
            if ship_by is None
            else ("late" if ship_by < now else ("due soon" if ship_by - now < warn else ""))
        )
        rows.append(
            {
                "order_id": order.get("orderId", ""),
                "purchased": order.get("createdTime"),
                "ship_by": ship_by.isoformat() if ship_by else None,
                "state": state,
                "status": fulfillment.get("fulfillmentStatus", ""),
                "items": items,
            }
        )
    return sorted(rows, key=lambda r: r["ship_by"] or "9999")


def account_pull(*, account: SellerAccount, client: Client | None = None) -> PullReport:
    """One pull of every marketplace of `account`. Never two at once for one account."""
    now = timezone.now()
    report = PullReport(account=account.name)
    taken = SellerAccount.objects.filter(
        Q(pull_lease_until__isnull=True) | Q(pull_lease_until__lt=now), pk=account.pk
    ).update(pull_lease_until=now + LEASE)
    if not taken:
        report.skipped = True
        return report
    client = client or Client(account)
    try:
        for code in account.marketplace_codes:
            report.marketplaces[code] = _pull_marketplace(account, client, code, report)
    finally:
        SellerAccount.objects.filter(pk=account.pk).update(
            pull_lease_until=None,
            last_pull_at=timezone.now(),
            last_error="; ".join(report.errors)[:2000],
        )
    return report


def _pull_marketplace(account, client, code: str, report: PullReport) -> dict:
    now = timezone.now()
    snapshot = AmazonSnapshot(account=account, marketplace=code, taken_at=now)
    try:
        rows = order_rows(client.unshipped_orders(code), now)
        snapshot.orders, snapshot.unshipped = rows, len(rows)
        snapshot.late = sum(1 for r in rows if r["state"] == "late")
    except SpApiError as exc:
        report.errors.append(f"{code} orders: {exc}")
        snapshot.problems.append(f"Unshipped orders: {exc}")
    try:
        document = client.performance_document(code)
        parsed = parse_report(_as_json(document))
        snapshot.problems += parsed.problems
        health = next((m for m in parsed.marketplaces if m.code == code), None)
        if health is None and parsed.marketplaces:
            health = parsed.marketplaces[0]
        if health is not None:
            snapshot.performance = health.verdict
            snapshot.account_status = health.account_status
            snapshot.failing_areas = (
                [f"Account status {health.account_status}"]
                if health.account_status != "NORMAL"
                else []
            ) + health.failing_areas
            snapshot.metrics = [vars(m) for m in health.metrics]
            snapshot.unknown_fields = health.unknown
        else:
            snapshot.problems.append("The performance report names no marketplace.")
    except SpApiError as exc:
        report.errors.append(f"{code} performance: {exc}")
        snapshot.problems.append(f"Seller performance: {exc}")
    previous = (
        AmazonSnapshot.objects.filter(account=account, marketplace=code)
        .order_by("-taken_at", "-pk")
        .first()
    )
    with transaction.atomic():
        AmazonSnapshot.objects.filter(account=account, marketplace=code, is_latest=True).update(
            is_latest=False
        )
        snapshot.is_latest = True
        snapshot.save()
    _tell_owner(account, code, snapshot, previous)
    return {
        "unshipped": snapshot.unshipped,
        "late": snapshot.late,
        "performance": snapshot.performance or None,
        "account_status": snapshot.account_status or None,
        "failing_areas": snapshot.failing_areas,
        "problems": snapshot.problems,
    }


def _as_json(document):
    if isinstance(document, dict | list):
        return document
    try:
        return json.loads(document or "")
    except ValueError:
        return None  # parse_report says what is wrong


def _tell_owner(account, code, snapshot, previous) -> None:
    """Once per change, not at every pull."""
    where = code if account.name == SellerAccount.DEFAULT_NAME else f"{account.name} {code}"
    if snapshot.performance and snapshot.performance != GOOD:
        before = (previous.performance, previous.failing_areas) if previous else None
        if before != (snapshot.performance, snapshot.failing_areas):
            areas = ", ".join(snapshot.failing_areas) or "see the report"
            escalation_open(
                about="amazon",
                summary=f"Seller performance on {where} is {snapshot.performance}: {areas}.",
                details="\n".join(
                    f"{m['name']}: {m['status']} (rate {m['rate']}, target {m['target']})"
                    for m in snapshot.metrics
                ),
            )
    late = {r["order_id"] for r in snapshot.orders if r["state"] == "late"}
    was_late = {
        r["order_id"] for r in (previous.orders if previous else []) if r["state"] == "late"
    }
    new_late = sorted(late - was_late)
    if new_late:
        listed = ", ".join(new_late[:3]) + (
            f" and {len(new_late) - 3} more" if len(new_late) > 3 else ""
        )
        escalation_open(
            about="amazon",
            summary=f"{len(new_late)} unshipped order(s) on {where} past ship-by: {listed}.",
            details="\n".join(new_late),
        )


def pull_all_accounts() -> list[PullReport]:
    account_from_settings()
    reports = []
    for account in SellerAccount.objects.filter(is_active=True):
        try:
            reports.append(account_pull(account=account))
        except SpApiError as exc:  # a pull that could not even start
            log.warning("Amazon pull for %s failed: %s", account, exc)
    return reports


def shift_start(*, assistant):
    open_shift = Shift.objects.filter(assistant=assistant, ended_at__isnull=True).first()
    return open_shift or Shift.objects.create(assistant=assistant)


SHIFT_NOTE_MAX = 5000


def shift_end(*, assistant, note: str = ""):
    """End the assistant's shift, recording the checklist as it stands. With items still
    open, a note on them is required."""
    shift = Shift.objects.filter(assistant=assistant, ended_at__isnull=True).first()
    if shift is None:
        raise ValidationError("No shift is running.")
    items = checklist_json(checklist_state())["items"]
    still_open = [k for k, v in items.items() if v["state"] == "action"]
    note = note.strip()
    if len(note) > SHIFT_NOTE_MAX:
        raise ValidationError(
            f"The note is {len(note):,} characters; keep it under {SHIFT_NOTE_MAX:,}."
        )
    if still_open and not note:
        raise ValidationError("Some items are still open: leave a note on them for the owner.")
    Shift.objects.filter(pk=shift.pk).update(ended_at=timezone.now(), at_end=items, note=note)
    shift.refresh_from_db()
    return shift
