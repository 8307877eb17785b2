"""Amazon's side of the desk: the seller accounts it reads, their rate budgets, and the
orders it has seen. Below every page that shows an order, above only `sellerdesk`."""

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

    class Meta:
        db_table = "dashboard_selleraccount"  # the table it had in `dashboard`

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
        db_table = "dashboard_ratebudget"  # the table it had in `dashboard`
        constraints = [
            models.UniqueConstraint(
                fields=["account", "operation"], name="one_budget_per_operation"
            )
        ]

    def __str__(self):
        return f"{self.account} {self.operation}"


class Order(models.Model):
    """An Amazon order as the desk last read it, from the unshipped pull (`searchOrders`) or
    from `getOrder` for an order a buyer names. Fetched once and kept; refreshed only when
    older than ORDER_REFRESH_MINUTES and not final, by whoever holds `refreshing_until`."""

    class Lookup(models.TextChoices):
        PENDING = "pending", "Not looked up yet"
        FOUND = "found", "Found"
        NOT_FOUND = "not_found", "Not in this seller's account"
        INVALID = "invalid", "Not an Amazon order id"
        FAILED = "failed", "Amazon did not answer"

    account = models.ForeignKey(SellerAccount, on_delete=models.CASCADE, related_name="orders")
    # Amazon's order ids are unique across accounts and marketplaces.
    order_id = models.CharField(max_length=40, unique=True)
    marketplace = models.CharField(max_length=4, help_text="US, UK, DE, JP, ...")
    status = models.CharField(max_length=24, blank=True, help_text="Amazon's fulfillmentStatus")
    purchased_at = models.DateTimeField(null=True, blank=True)
    amazon_updated_at = models.DateTimeField(null=True, blank=True)
    ship_by_earliest = models.DateTimeField(null=True, blank=True)
    ship_by = models.DateTimeField(null=True, blank=True)
    deliver_by_earliest = models.DateTimeField(null=True, blank=True)
    deliver_by = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.CharField(max_length=10, blank=True, help_text="MERCHANT or AMAZON")
    service_level = models.CharField(max_length=20, blank=True)
    # [{"title", "asin", "sku", "quantity"}]: always read with the order, never on their own.
    items = models.JSONField(default=list, blank=True)
    # [{"carrier", "tracking_number", "status", "detail", "shipped_at"}] (merchant-fulfilled).
    packages = models.JSONField(default=list, blank=True)
    # Cancelled, unfulfillable, or shipped with every package at its end: never refreshed.
    is_final = models.BooleanField(default=False)
    # Listed by its account and marketplace's latest unshipped pull.
    is_unshipped = models.BooleanField(default=False)
    # The owner was told it is past its ship-by time (once per order).
    late_told_at = models.DateTimeField(null=True, blank=True)
    lookup = models.CharField(max_length=10, choices=Lookup.choices, default=Lookup.PENDING)
    problem = models.CharField(max_length=500, blank=True)  # Amazon's last error, in words
    fetched_at = models.DateTimeField(null=True, blank=True)  # Amazon's last answer about it
    tried_at = models.DateTimeField(null=True, blank=True)  # the last call, answered or not
    requested_at = models.DateTimeField(null=True, blank=True)  # a refresh task was queued
    refreshing_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["ship_by", "order_id"]
        indexes = [
            models.Index(
                fields=["account", "marketplace", "ship_by"],
                condition=models.Q(is_unshipped=True),
                name="order_unshipped",
            )
        ]

    def __str__(self):
        return self.order_id
