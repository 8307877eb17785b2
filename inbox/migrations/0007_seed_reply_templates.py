from django.db import migrations

HOLDING = "holding"
TEMPLATES = [
    ("Checking with a supervisor", HOLDING, "en",
     "Hello {buyer_name},\n\nThank you for your message. I am checking with a supervisor and "
     "will respond in detail as soon as I have an answer.\n\nBest regards,\n{assistant_name}"),
    ("Rückfrage beim Vorgesetzten", HOLDING, "de",
     "Guten Tag {buyer_name},\n\nvielen Dank für Ihre Nachricht. Ich kläre das mit einem "
     "Vorgesetzten und antworte Ihnen ausführlich, sobald ich eine Antwort habe.\n\n"
     "Mit freundlichen Grüßen\n{assistant_name}"),
    ("上司に確認中", HOLDING, "ja",
     "{buyer_name} 様\n\nお問い合わせありがとうございます。ただいま上司に確認しております。"
     "回答が得られ次第、詳しくご連絡いたします。\n\n{assistant_name}"),
    ("Hello / sign-off", "reply", "",
     "Hello {buyer_name},\n\nThank you for contacting us about order {order_id}.\n\n\n\n"
     "Best regards,\n{assistant_name}"),
    ("Delivered but not found", "reply", "en",
     "Hello {buyer_name},\n\nI am sorry your order {order_id} has not reached you. Carriers "
     "sometimes mark a parcel delivered a day early, and it is often left with a neighbour or "
     "in a safe place. If it has not turned up by tomorrow, let me know and I will send a "
     "replacement or refund you in full.\n\nBest regards,\n{assistant_name}"),
    ("Damaged item: replacement", "reply", "en",
     "Hello {buyer_name},\n\nI am sorry the item from order {order_id} arrived damaged. I have "
     "arranged a replacement at no cost to you; you do not need to send the damaged one back."
     "\n\nBest regards,\n{assistant_name}"),
    ("Beschädigt: Ersatz", "reply", "de",
     "Guten Tag {buyer_name},\n\nes tut mir leid, dass der Artikel aus Bestellung {order_id} "
     "beschädigt angekommen ist. Wir schicken Ihnen kostenlos Ersatz; den beschädigten Artikel "
     "müssen Sie nicht zurücksenden.\n\nMit freundlichen Grüßen\n{assistant_name}"),
]  # fmt: skip


def install(apps, schema_editor):
    ReplyTemplate = apps.get_model("inbox", "ReplyTemplate")
    for order, (name, purpose, language, body) in enumerate(TEMPLATES):
        ReplyTemplate.objects.get_or_create(
            name=name, defaults={"purpose": purpose, "language": language, "body": body,
                                 "order": (order + 1) * 10},
        )  # fmt: skip


def remove(apps, schema_editor):
    apps.get_model("inbox", "ReplyTemplate").objects.filter(
        name__in=[t[0] for t in TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("inbox", "0006_reply_queue")]
    operations = [migrations.RunPython(install, remove)]
