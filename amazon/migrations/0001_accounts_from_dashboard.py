# SellerAccount and RateBudget move here from `dashboard`, keeping their tables: this
# migration only tells Django's state; dashboard's 0004 lets go of them the same way.

import django.db.models.deletion
import django.utils.timezone
import sellerdesk.crypto
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dashboard", "0003_snapshot_is_latest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SellerAccount",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=60, unique=True)),
                        ("lwa_app_id", models.CharField(max_length=255, verbose_name="LWA client id")),
                        ("lwa_client_secret", sellerdesk.crypto.EncryptedTextField(verbose_name="LWA client secret")),
                        ("refresh_token", sellerdesk.crypto.EncryptedTextField()),
                        ("marketplaces", models.CharField(default="US", help_text="Comma-separated codes: US,CA or UK,DE.", max_length=200)),
                        ("is_active", models.BooleanField(default=True)),
                        ("pull_lease_until", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("last_pull_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                    ],
                    options={"db_table": "dashboard_selleraccount"},
                ),
                migrations.CreateModel(
                    name="RateBudget",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("operation", models.CharField(max_length=40)),
                        ("rate", models.FloatField(help_text="requests per second")),
                        ("burst", models.PositiveIntegerField()),
                        ("tokens", models.FloatField()),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("account", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="budgets", to="amazon.selleraccount")),
                    ],
                    options={
                        "db_table": "dashboard_ratebudget",
                        "constraints": [models.UniqueConstraint(fields=("account", "operation"), name="one_budget_per_operation")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
