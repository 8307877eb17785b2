"""A buyer message's buyer name, relay address, order id and marketplace are copies of its
conversation's. Before they go (0003), a message that never got a conversation (filed
before conversations existed) is given one made from those copies, so nothing they said is
lost. Two migrations: PostgreSQL does not alter a table with updates pending in the same
transaction."""

from datetime import timedelta

from django.db import migrations

AMAZON_LIMIT = timedelta(hours=24)


def file_orphans(apps, schema_editor):
    BuyerMessage = apps.get_model("buyers", "BuyerMessage")
    Conversation = apps.get_model("buyers", "Conversation")
    orphans = BuyerMessage.objects.filter(conversation__isnull=True).order_by("received_at", "pk")
    for message in orphans.iterator():
        conversation, _ = Conversation.objects.get_or_create(
            relay_address=message.relay_address,
            order_id=message.order_id,
            defaults={
                "buyer_name": message.buyer_name,
                "marketplace": message.marketplace,
                "state": "answered",
                "last_message_at": message.received_at,
            },
        )
        if message.answered_at is None and conversation.state != "waiting":
            conversation.state = "waiting"
            conversation.waiting_since = message.received_at
            conversation.due_at = message.received_at + AMAZON_LIMIT
        conversation.last_message_at = max(
            filter(None, [conversation.last_message_at, message.received_at])
        )
        conversation.save()
        BuyerMessage.objects.filter(pk=message.pk).update(conversation=conversation)


class Migration(migrations.Migration):
    dependencies = [
        ("buyers", "0001_initial"),
        ("inbox", "0010_reply_queue_to_buyers"),
    ]

    operations = [
        migrations.RunPython(file_orphans, migrations.RunPython.noop),
    ]
