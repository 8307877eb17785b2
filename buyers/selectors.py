"""Reads on the reply queue, for pages and for other apps."""

import re

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Replace

from buyers.models import BuyerMessage, Conversation, Reply, ReplyTemplate
from escalations.models import Escalation
from inbox.search import WINDOW, ranked, search_words

ORDER_ID = re.compile(r"[\d-]{5,}")
FOUND_AT_MOST = 200


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
    return _in_queue_order(_with_queue_marks(Conversation.objects.all()), state=state)


def _in_queue_order(conversations, *, state: str):
    """`conversations` (annotated `owner_answered`) of the tab `state`, in the queue's order."""
    if state == "waiting":
        return conversations.filter(
            Q(state=Conversation.State.WAITING) | Q(owner_answered=True)
        ).order_by("-owner_answered", "due_at", "pk")
    return conversations.exclude(
        Q(state=Conversation.State.WAITING) | Q(owner_answered=True)
    ).order_by("-last_message_at")


def next_waiting(*, after: Conversation) -> Conversation | None:
    """The conversation the assistant works next, once `after` is answered: the first of
    the waiting queue other than it (without the marks only the queue's page shows)."""
    waiting = Conversation.objects.alias(owner_answered=_owner_answered())
    return _in_queue_order(waiting, state="waiting").exclude(pk=after.pk).first()


def _with_queue_marks(conversations):
    return conversations.annotate(
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


def conversation_search(*, text: str):
    """The conversations whose buyer's name, order id, buyer's mail (every word, by its
    beginning, through the mail's search index) or the desk's replies hold `text`:
    waiting ones first, the soonest due first; then the rest, newest first."""
    text = " ".join(text.split())[:200]
    if not search_words(text):
        return Conversation.objects.none()
    found = Q(buyer_name__folded=text) | Q(order_id__folded=text)
    if ORDER_ID.fullmatch(text):  # an order id typed without its dashes
        found |= Q(bare_order__contains=text.replace("-", ""))
    mail = ranked(BuyerMessage.objects.all(), text, key="inbox_buyermessage.message_id",
                  window=WINDOW).values_list("conversation_id", "rank")  # fmt: skip
    found |= Q(pk__in={pk for pk, _ in mail[:FOUND_AT_MOST]})
    found |= Q(
        pk__in=Reply.objects.filter(conversation__isnull=False, body__folded=text)
        .order_by("-pk")
        .values_list("conversation_id", flat=True)[:FOUND_AT_MOST]
    )
    return (
        _with_queue_marks(Conversation.objects.all())
        .alias(bare_order=Replace("order_id", Value("-"), Value("")))
        .filter(found)
        .order_by(
            "-owner_answered", "-state", F("due_at").asc(nulls_last=True), "-last_message_at", "pk"
        )
    )


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
        Q(language="") | Q(language=conversation.language),
        purpose=ReplyTemplate.Purpose.REPLY,
        removed_at__isnull=True,
    )


def saved_replies_page() -> dict:
    """The saved replies page: those offered, and those set aside (newest removed first)."""
    rows = list(ReplyTemplate.objects.all())
    return {
        "offered": [t for t in rows if t.removed_at is None],
        "removed": sorted(
            (t for t in rows if t.removed_at), key=lambda t: t.removed_at, reverse=True
        ),
    }


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
