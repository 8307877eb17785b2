from django.db import models
from django.utils import timezone

from amazon.models import SellerAccount


class AmazonSnapshot(models.Model):
    """What one pull found, per account and marketplace: kept, so figures can be charted.
    The unshipped orders themselves are rows of `amazon.Order`."""

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField(default=timezone.now, db_index=True)
    marketplace = models.CharField(max_length=4)
    unshipped = models.PositiveIntegerField(null=True, blank=True)
    late = models.PositiveIntegerField(null=True, blank=True)
    performance = models.CharField(max_length=4, blank=True)  # Good, Fair, Poor; "" unknown
    account_status = models.CharField(max_length=20, blank=True)
    failing_areas = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=list, blank=True)
    unknown_fields = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    # The newest snapshot of its account and marketplace: what the checklist reads, in one
    # indexed lookup however many months of snapshots there are.
    is_latest = models.BooleanField(default=False)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            models.Index(fields=["account", "marketplace", "-taken_at"], name="snapshot_latest"),
            models.Index(
                fields=["account"], condition=models.Q(is_latest=True), name="snapshot_is_latest"
            ),
        ]

    def __str__(self):
        return f"{self.account} {self.marketplace} {self.taken_at:%Y-%m-%d %H:%M}"


class Shift(models.Model):
    """An assistant's working session: when, what was done, what was left (with a note)."""

    assistant = models.ForeignKey(
        "sellerdesk.User", on_delete=models.PROTECT, related_name="shifts"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The checklist when the shift ended: {key: {"state", "figure"}}.
    at_end = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assistant"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_shift_per_assistant",
            )
        ]

    def __str__(self):
        return f"{self.assistant} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def left_open(self) -> list[str]:
        return [v["figure"] for v in self.at_end.values() if v.get("state") != "done"]
