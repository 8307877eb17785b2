"""A buyer message's copies of its conversation's fields go: who, which order and which
marketplace are the conversation's (every message has one since 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("buyers", "0002_file_buyer_messages_without_conversation")]

    operations = [
        migrations.RemoveField(model_name="buyermessage", name="buyer_name"),
        migrations.RemoveField(model_name="buyermessage", name="marketplace"),
        migrations.RemoveField(model_name="buyermessage", name="order_id"),
        migrations.RemoveField(model_name="buyermessage", name="relay_address"),
    ]
