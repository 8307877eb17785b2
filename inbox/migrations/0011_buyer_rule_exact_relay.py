"""The seed's buyer rule matched any sender domain that began with `marketplace.amazon.`
(`marketplace.amazon.attacker.test` too). Its address condition now names Amazon's
marketplace domains exactly, anchored on the whole address (RE2)."""

from django.db import migrations

LOOSE = r"@marketplace\.amazon\.[a-z.]+$"
EXACT = (
    r"\A[a-z0-9][a-z0-9._+-]*@marketplace\.amazon\."
    r"(?:com|ca|com\.mx|com\.br|co\.uk|de|fr|it|es|nl|se|pl|com\.tr|com\.be|ie|ae|sa|eg|in"
    r"|co\.jp|com\.au|sg)\z"
)


def _swap(apps, old: str, new: str) -> None:
    RuleCondition = apps.get_model("inbox", "RuleCondition")
    RuleCondition.objects.filter(
        rule__action="buyer_message", field="sender_address", operator="regex", value=old
    ).update(value=new)


def tighten(apps, schema_editor):
    _swap(apps, LOOSE, EXACT)


def loosen(apps, schema_editor):
    _swap(apps, EXACT, LOOSE)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0010_reply_queue_to_buyers")]

    operations = [migrations.RunPython(tighten, loosen)]
