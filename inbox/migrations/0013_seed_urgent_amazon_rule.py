"""The seed says: report account-level trouble from Amazon immediately. A seed-default rule
tells the owner about it as urgent (texted alone, at once), ahead of the catch-all (mail no
rule knows goes to the owner as normal)."""

from django.db import migrations

NAME = "Amazon account-level mail (account health, deactivation, claims): tell the owner now"
AMAZON_SENDER = r"@([a-z0-9-]+\.)*amazon\.[a-z.]+$"
ACCOUNT_LEVEL = (
    r"account health|at risk|deactivat|suspen|selling privileges|policy warning"
    r"|policy violation|a-to-z|chargeback|intellectual property|infringement|rights owner"
)


def install(apps, schema_editor):
    EmailRule = apps.get_model("inbox", "EmailRule")
    RuleCondition = apps.get_model("inbox", "RuleCondition")
    if EmailRule.objects.filter(name=NAME).exists():
        return
    rule = EmailRule.objects.create(order=15, name=NAME, action="escalate", urgency="urgent")
    RuleCondition.objects.create(
        rule=rule, field="sender_address", operator="regex", value=AMAZON_SENDER
    )
    RuleCondition.objects.create(rule=rule, field="subject", operator="regex", value=ACCOUNT_LEVEL)


def remove(apps, schema_editor):
    apps.get_model("inbox", "EmailRule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("inbox", "0012_emailrule_urgency")]

    operations = [migrations.RunPython(install, remove)]
