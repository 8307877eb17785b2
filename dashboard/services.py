"""Pulling Amazon's figures: unshipped orders and seller performance, per account and
marketplace, stored as snapshots; the owner is told when something turns bad."""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amazon.models import SellerAccount
from amazon.selectors import unshipped_orders
from amazon.services import account_from_settings, orders_late_untold, orders_unshipped_store
from amazon.spapi import Client, SpApiError
from dashboard.checklist import checklist_json, checklist_state
from dashboard.models import AmazonSnapshot, Shift
from dashboard.performance import GOOD, parse_report
from escalations.selectors import open_escalations_caused_by
from escalations.services import escalation_open, escalations_resolve

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)


@dataclass
class PullReport:
    account: str
    skipped: bool = False
    marketplaces: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


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
        orders = client.unshipped_orders(code)
        stored = orders_unshipped_store(account=account, marketplace=code, orders=orders, now=now)
        snapshot.unshipped = stored
        snapshot.late = (
            unshipped_orders(account_id=account.pk, marketplace=code)
            .filter(ship_by__lt=now)
            .count()
        )
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
    """Once per change, not at every pull; and the escalation ends when its cause does."""
    where = code if account.name == SellerAccount.DEFAULT_NAME else f"{account.name} {code}"
    performance = f"performance:{account.pk}:{code}"
    if snapshot.performance == GOOD:
        escalations_resolve(
            escalations=open_escalations_caused_by(cause=performance),
            reason=f"Seller performance on {where} is back to Good.",
        )
    elif snapshot.performance:
        before = (previous.performance, previous.failing_areas) if previous else None
        if before != (snapshot.performance, snapshot.failing_areas):
            escalations_resolve(
                escalations=open_escalations_caused_by(cause=performance),
                reason=f"Seller performance on {where} changed: see the newer escalation.",
            )
            areas = ", ".join(snapshot.failing_areas) or "see the report"
            # The seed: report it to me immediately.
            escalation_open(
                about="amazon",
                summary=f"Seller performance on {where} is {snapshot.performance}: {areas}.",
                details="\n".join(
                    f"{m['name']}: {m['status']} (rate {m['rate']}, target {m['target']})"
                    for m in snapshot.metrics
                ),
                urgency="urgent",
                cause=performance,
            )
    late = f"late:{account.pk}:{code}"
    if not any("Unshipped orders" in problem for problem in snapshot.problems):
        still_late = set(
            unshipped_orders(account_id=account.pk, marketplace=code)
            .filter(ship_by__lt=snapshot.taken_at)
            .values_list("order_id", flat=True)
        )
        for escalation in open_escalations_caused_by(cause=late):
            if not still_late.intersection(escalation.details.split()):
                escalations_resolve(
                    escalations=open_escalations_caused_by(cause=late).filter(pk=escalation.pk),
                    reason="The late orders were shipped.",
                )
    new_late = orders_late_untold(account=account, marketplace=code, now=snapshot.taken_at)
    if new_late:
        listed = ", ".join(new_late[:3]) + (
            f" and {len(new_late) - 3} more" if len(new_late) > 3 else ""
        )
        escalation_open(
            about="amazon",
            summary=f"{len(new_late)} unshipped order(s) on {where} past ship-by: {listed}.",
            details="\n".join(new_late),
            cause=late,
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
