"""The seed's instructions for the seller's mail, as rules an admin can edit."""

from django.db import migrations

AMAZON_SENDER = r"@([a-z0-9-]+\.)*amazon\.[a-z.]+$"

SEED_RULES = [
    (
        10,
        "Buyer message (<name> - Amazon Marketplace): answer in Amazon's channel",
        "buyer_message",
        [
            ("sender_name", "regex", r"\s-\sAmazon Marketplace\s*$"),
            ("sender_address", "regex", r"@marketplace\.amazon\.[a-z.]+$"),
        ],
    ),
    (
        20,
        "Your e-mail to <customer>: our own copy, delete",
        "trash",
        [("subject", "starts_with", "Your e-mail to"), ("sender_address", "regex", AMAZON_SENDER)],
    ),
    (
        30,
        "Sold, ship now: order notice, delete",
        "trash",
        [("subject", "starts_with", "Sold, ship now"), ("sender_address", "regex", AMAZON_SENDER)],
    ),
    (
        40,
        "Fulfillment by Amazon: marketing, delete",
        "trash",
        [
            ("sender_name", "contains", "Fulfillment by Amazon"),
            ("sender_address", "regex", AMAZON_SENDER),
        ],
    ),
]


def install(apps, schema_editor):
    EmailRule = apps.get_model("inbox", "EmailRule")
    RuleCondition = apps.get_model("inbox", "RuleCondition")
    for order, name, action, conditions in SEED_RULES:
        rule = EmailRule.objects.create(order=order, name=name, action=action)
        for field, operator, value in conditions:
            RuleCondition.objects.create(rule=rule, field=field, operator=operator, value=value)


def remove(apps, schema_editor):
    EmailRule = apps.get_model("inbox", "EmailRule")
    EmailRule.objects.filter(name__in=[name for _, name, _, _ in SEED_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
