from django.db import migrations

HOLDING = "holding"
# The holding reply ("checking with a supervisor") in more of the buyers' languages.
TEMPLATES = [
    ("向主管确认中", HOLDING, "zh",
     "{buyer_name}，您好：\n\n感谢您的留言。我正在向主管确认，得到答复后会尽快详细回复您。\n\n"
     "此致\n{assistant_name}"),
    ("상급자 확인 중", HOLDING, "ko",
     "{buyer_name} 님, 안녕하세요.\n\n문의해 주셔서 감사합니다. 지금 담당 상급자에게 확인하고 있으며, "
     "답변을 받는 대로 자세히 연락드리겠습니다.\n\n감사합니다.\n{assistant_name}"),
    ("Vérification auprès d'un responsable", HOLDING, "fr",
     "Bonjour {buyer_name},\n\nMerci pour votre message. Je vérifie auprès d'un responsable et "
     "vous répondrai en détail dès que j'aurai une réponse.\n\nCordialement,\n{assistant_name}"),
    ("Consulta con un supervisor", HOLDING, "es",
     "Hola {buyer_name}:\n\nGracias por su mensaje. Lo estoy consultando con un supervisor y le "
     "responderé en detalle en cuanto tenga una respuesta.\n\nSaludos cordiales,\n"
     "{assistant_name}"),
    ("Verifica con un responsabile", HOLDING, "it",
     "Buongiorno {buyer_name},\n\ngrazie per il suo messaggio. Sto verificando con un "
     "responsabile e le risponderò in dettaglio appena avrò una risposta.\n\n"
     "Cordiali saluti,\n{assistant_name}"),
]  # fmt: skip


def install(apps, schema_editor):
    ReplyTemplate = apps.get_model("buyers", "ReplyTemplate")
    for order, (name, purpose, language, body) in enumerate(TEMPLATES):
        ReplyTemplate.objects.get_or_create(
            name=name, defaults={"purpose": purpose, "language": language, "body": body,
                                 "order": 100 + order * 10},
        )  # fmt: skip


def remove(apps, schema_editor):
    apps.get_model("buyers", "ReplyTemplate").objects.filter(
        name__in=[t[0] for t in TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("buyers", "0005_offered_answers")]
    operations = [migrations.RunPython(install, remove)]
