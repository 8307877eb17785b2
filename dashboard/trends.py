"""Small charts of the last 30 days, drawn on the server as SVG (no chart library)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, F, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from buyers.models import BuyerMessage
from dashboard.models import AmazonSnapshot

WIDTH, HEIGHT, PAD = 300, 80, 4


@dataclass
class Chart:
    title: str
    unit: str
    points: list[tuple]  # (day, value)
    target: float | None = None

    @property
    def latest(self):
        return self.points[-1][1] if self.points else None

    @property
    def polyline(self) -> str:
        if not self.points:
            return ""
        top = max([v for _, v in self.points] + [self.target or 0]) or 1
        step = (WIDTH - 2 * PAD) / max(1, len(self.points) - 1)
        return " ".join(
            f"{PAD + i * step:.1f},{HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD):.1f}"
            for i, (_, v) in enumerate(self.points)
        )

    @property
    def target_y(self) -> float | None:
        if self.target is None or not self.points:
            return None
        top = max([v for _, v in self.points] + [self.target]) or 1
        return HEIGHT - PAD - (self.target / top) * (HEIGHT - 2 * PAD)


def trends(*, days: int = 30) -> list[Chart]:
    since = timezone.now() - timedelta(days=days)
    unshipped = (
        AmazonSnapshot.objects.filter(taken_at__gte=since, unshipped__isnull=False)
        .annotate(day=TruncDate("taken_at"))
        .values("day")
        .annotate(value=Max("unshipped"))
        .order_by("day")
    )
    charts = [
        Chart(
            "Unshipped orders (daily peak)", "orders", [(r["day"], r["value"]) for r in unshipped]
        )
    ]
    late_rates = []
    for snapshot in (
        AmazonSnapshot.objects.filter(taken_at__gte=since)
        .exclude(metrics=[])
        .only("taken_at", "metrics")
        .order_by("taken_at")
    ):
        for metric in snapshot.metrics:
            if metric.get("key") == "lateShipmentRate" and metric.get("rate") is not None:
                late_rates.append(
                    (
                        snapshot.taken_at.date(),
                        metric["rate"] * 100,
                        (metric.get("target") or 0) * 100,
                    )
                )
    by_day = {}
    for day, rate, target in late_rates:
        by_day[day] = (rate, target)
    charts.append(
        Chart(
            "Late Shipment Rate against its target",
            "%",
            [(d, v[0]) for d, v in sorted(by_day.items())],
            target=next(iter(by_day.values()))[1] if by_day else None,
        )
    )
    replies = (
        BuyerMessage.objects.filter(answered_at__gte=since, answered_by_reply__isnull=False)
        .annotate(day=TruncDate("answered_at"))
        .values("day")
        .annotate(value=Avg(F("answered_at") - F("received_at")))
        .order_by("day")
    )
    charts.append(
        Chart(
            "Buyer response time (daily average)",
            "h",
            [(r["day"], round(_hours(r["value"]), 1)) for r in replies],
            target=24,
        )
    )
    return charts


def _hours(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000  # microseconds, as some databases return it
