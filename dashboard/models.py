from django.db import models
from django.utils import timezone

from sellerdesk.crypto import EncryptedTextField


class SellerAccount(models.Model):
    """One Amazon seller account the desk reads, with its Login-with-Amazon credentials
    (the secrets are stored encrypted)."""

    DEFAULT_NAME = "default"

    name = models.CharField(max_length=60, unique=True)
    lwa_app_id = models.CharField("LWA client id", max_length=255)
    lwa_client_secret = EncryptedTextField("LWA client secret")
    refresh_token = EncryptedTextField()
    marketplaces = models.CharField(
        max_length=200, default="US", help_text="Comma-separated codes: US,CA or UK,DE."
    )
    is_active = models.BooleanField(default=True)
    # One pull at a time per account: a lease, taken with a conditional UPDATE.
    pull_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_pull_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self):
        return self.name

    @property
    def marketplace_codes(self) -> list[str]:
        return [c.strip().upper() for c in self.marketplaces.split(",") if c.strip()]


class RateBudget(models.Model):
    """Amazon's token bucket for one operation of one account, kept in columns so every
    worker honours the same limit."""

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="budgets")
    operation = models.CharField(max_length=40)
    rate = models.FloatField(help_text="requests per second")
    burst = models.PositiveIntegerField()
    tokens = models.FloatField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "operation"], name="one_budget_per_operation"
            )
        ]

    def __str__(self):
        return f"{self.account} {self.operation}"


class AmazonSnapshot(models.Model):
    """What one pull found, per account and marketplace: kept, so figures can be charted."""

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField(default=timezone.now, db_index=True)
    marketplace = models.CharField(max_length=4)
    unshipped = models.PositiveIntegerField(null=True, blank=True)
    late = models.PositiveIntegerField(null=True, blank=True)
    orders = models.JSONField(default=list, blank=True)
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
