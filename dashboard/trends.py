"""Small charts of the last 30 days, drawn on the server as SVG (no chart library)."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, F, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from buyers.models import BuyerMessage
from dashboard.models import AmazonSnapshot

# The drawing: a plot area inside margins for the y axis's labels (left) and the days (below).
WIDTH, HEIGHT = 340, 170
LEFT, RIGHT, TOP, BOTTOM = 44, 14, 16, 30
MIN_DAYS = 2  # one day is a dot, not a trend: the chart waits for a second


def _nice_top(value: float) -> float:
    """A round number at or above `value` for the y axis's top (1, 2, 2.5, 5, 10 x 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _label(value: float) -> str:
    text = f"{value:.1f}"
    return text.rstrip("0").rstrip(".")


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
    def ready(self) -> bool:
        return len(self.points) >= MIN_DAYS

    @property
    def top(self) -> float:
        return _nice_top(max([v for _, v in self.points] + [self.target or 0]))

    def _x(self, i: int) -> float:
        step = (WIDTH - LEFT - RIGHT) / max(1, len(self.points) - 1)
        return LEFT + i * step

    def _y(self, value: float) -> float:
        return TOP + (1 - value / self.top) * (HEIGHT - TOP - BOTTOM)

    @property
    def polyline(self) -> str:
        return " ".join(
            f"{self._x(i):.1f},{self._y(v):.1f}" for i, (_, v) in enumerate(self.points)
        )

    @property
    def dots(self) -> list[dict]:
        return [{"x": round(self._x(i), 1), "y": round(self._y(v), 1), "day": d, "value": v}
                for i, (d, v) in enumerate(self.points)]  # fmt: skip

    @property
    def y_ticks(self) -> list[dict]:
        return [{"y": round(self._y(self.top * f), 1), "label": _label(self.top * f)}
                for f in (0, 0.5, 1)]  # fmt: skip

    @property
    def x_ticks(self) -> list[dict]:
        """The first, middle and last days under the axis."""
        n = len(self.points)
        picks = sorted({0, (n - 1) // 2, n - 1}) if n else []
        return [{"x": round(self._x(i), 1), "day": self.points[i][0]} for i in picks]

    @property
    def values(self) -> list[dict]:
        """The figures written on the chart: the last day's, and the highest if elsewhere."""
        if not self.points:
            return []
        dots = self.dots
        marked = [dots[-1]]
        high = max(dots, key=lambda d: d["value"])
        if high is not dots[-1] and high["value"] != dots[-1]["value"]:
            marked.insert(0, high)
        return [{**d, "label": _label(d["value"]), "ty": max(TOP - 4, d["y"] - 6)}
                for d in marked]  # fmt: skip

    @property
    def target_y(self) -> float | None:
        return None if self.target is None or not self.points else round(self._y(self.target), 1)

    @property
    def geometry(self) -> dict:
        return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
                "top": TOP, "bottom": HEIGHT - BOTTOM, "below": HEIGHT - BOTTOM + 16}  # fmt: skip


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
