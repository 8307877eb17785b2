from django.apps import AppConfig


class BuyersConfig(AppConfig):
    name = "buyers"
    verbose_name = "Buyer messages"

    def ready(self):
        # The mailbox and escalations below hand their facts on to the reply queue here.
        from buyers import bounces, services, suggestions
        from escalations import handoff as escalations
        from escalations.models import Escalation
        from inbox import handoff as inbox
        from inbox.models import MailKind

        inbox.on_kind(MailKind.BUYER_MESSAGE, services.buyer_messages_file)
        inbox.before_escalating(bounces.replies_returned)
        escalations.on_answer(Escalation.About.BUYER_QUESTION, services.conversation_owner_answered)
        escalations.on_answer(Escalation.About.DRAFT, services.conversation_owner_answered)
        # Any answer of the owner's in words may be the one to offer a waiting buyer.
        for about in Escalation.About.values:
            escalations.on_answer(about, suggestions.owner_answered)
