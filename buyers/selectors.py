"""Reads on the reply queue, for pages and for other apps."""

from django.db.models import Count, Exists, Max, Min, OuterRef, Q

from buyers.models import BuyerMessage, Conversation, ReplyTemplate
from escalations.models import Escalation


def _owner_answered():
    return Exists(
        Escalation.objects.filter(
            conversation=OuterRef("pk"),
            about__in=[Escalation.About.BUYER_QUESTION, Escalation.About.DRAFT],
            state=Escalation.State.ANSWERED,
            answer_kind=Escalation.AnswerKind.TEXT,
        )
    )


def conversation_queue(*, state: str = "waiting"):
    """Waiting: the conversations whose owner's answer waits to be used, first; then those
    waiting for a reply, the soonest due first."""
    conversations = Conversation.objects.annotate(
        waiting_count=Count("messages", filter=Q(messages__answered_at__isnull=True)),
        owner_answered=_owner_answered(),
        owner_waits=Exists(
            Escalation.objects.filter(conversation=OuterRef("pk"), state=Escalation.State.OPEN)
        ),
        draft_with_owner=Exists(
            Escalation.objects.filter(
                conversation=OuterRef("pk"),
                state=Escalation.State.OPEN,
                about=Escalation.About.DRAFT,
            )
        ),
    )
    if state == "waiting":
        return conversations.filter(
            Q(state=Conversation.State.WAITING) | Q(owner_answered=True)
        ).order_by("-owner_answered", "due_at", "pk")
    return conversations.exclude(
        Q(state=Conversation.State.WAITING) | Q(owner_answered=True)
    ).order_by("-last_message_at")


def conversation_history(*, conversation) -> list[tuple]:
    """(when, who, kind, object) for every buyer message and reply, oldest first."""
    items = [(m.received_at, "buyer", m) for m in conversation.messages.select_related("message")]
    items += [
        (r.created_at, "reply", r)
        for r in conversation.replies.select_related("sent_by", "approved_in").prefetch_related(
            "attachments"
        )
    ]
    return sorted(items, key=lambda item: item[0])


def reply_templates_for(*, conversation):
    return ReplyTemplate.objects.filter(
        Q(language="") | Q(language=conversation.language), purpose=ReplyTemplate.Purpose.REPLY
    )


def unanswered_text(conversation: Conversation) -> str:
    """What the buyer asked and nobody answered yet (else the whole conversation)."""
    waiting = conversation.messages.filter(answered_at__isnull=True) or conversation.messages
    return "\n\n".join(m.text for m in waiting.order_by("received_at"))[:2000] or "(no text)"


def answers_mark() -> int:
    """The newest reply that answered a buyer message: it moves with every answer sent.
    One index lookup."""
    return BuyerMessage.objects.aggregate(mark=Max("answered_by_reply_id"))["mark"] or 0


def buyer_checklist(*, now) -> dict:
    waiting = Conversation.objects.filter(state=Conversation.State.WAITING)
    figures = waiting.aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)), next_due=Min("due_at")
    )
    return figures


def drafts_with_owner(*, conversation) -> list[Escalation]:
    """Draft replies of this conversation the owner has not answered yet."""
    return list(
        Escalation.objects.filter(
            conversation=conversation, about=Escalation.About.DRAFT, state=Escalation.State.OPEN
        ).order_by("created_at", "pk")
    )
