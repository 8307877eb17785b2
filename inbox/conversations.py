"""The reply queue: buyers' messages gathered into conversations, the 24-hour clock, and
replies sent through Amazon's relay (SMTP from the seller's registered address)."""

import re
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inbox import buyers
from inbox.actions import mail_action_request
from inbox.models import BuyerMessage, Conversation, MailAction, Reply, ReplyTemplate
from inbox.order_cards import orders_named
from inbox.replies import mail_reply_send

AMAZON_LIMIT = timedelta(hours=24)


# --- Filing buyer mail ------------------------------------------------------------------


def buyer_messages_file(messages) -> int:
    """File each buyer mail (stored Messages the rules called `buyer_message`) into its
    conversation; a new message reopens an answered conversation and starts its clock."""
    messages = list(messages)
    filed = set(
        BuyerMessage.objects.filter(message__in=messages).values_list("message_id", flat=True)
    )
    messages = [m for m in messages if m.pk not in filed]
    if not messages:
        return 0
    facts = []
    for m in messages:
        text = m.content.text if hasattr(m, "content") else ""
        market = buyers.marketplace(m.from_address)
        facts.append(
            (
                m,
                buyers.buyer_name(m.from_name),
                m.from_address.lower(),
                buyers.order_id(m.subject, text),
                market,
                buyers.buyer_text(text),
                m.date or m.created_at,
            )
        )
    arrivals = defaultdict(list)
    for _, name, relay, order, market, text, received in facts:
        arrivals[(relay, order)].append((received, name, market, text))
    relays = {relay for relay, _ in arrivals}
    with transaction.atomic():
        existing = {
            (c.relay_address, c.order_id): c
            for c in Conversation.objects.select_for_update().filter(relay_address__in=relays)
        }
        # New conversations are made whole in one insert; the few that existed reopen.
        fresh = []
        for key, items in arrivals.items():
            if key not in existing:
                conversation = Conversation(relay_address=key[0], order_id=key[1])
                _reopen(conversation, items)
                fresh.append(conversation)
        Conversation.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
        found = {
            (c.relay_address, c.order_id): c
            for c in Conversation.objects.filter(relay_address__in=relays)
        }
        for key, conversation in existing.items():
            if key in arrivals:
                _reopen(conversation, arrivals[key])
                conversation.save(update_fields=REOPEN_FIELDS)
        BuyerMessage.objects.bulk_create(
            [
                BuyerMessage(
                    message=m,
                    conversation=found[(relay, order)],
                    buyer_name=name,
                    relay_address=relay,
                    order_id=order,
                    marketplace=market,
                    text=text,
                    received_at=received,
                )
                for m, name, relay, order, market, text, received in facts
            ],
            ignore_conflicts=True,
        )
    # Mail that was there before the desk (history) is looked up when opened, not all at once.
    orders_named(facts={(o, market) for m, _, _, o, market, _, _ in facts if not m.is_history})
    return len(facts)


REOPEN_FIELDS = [
    "buyer_name",
    "marketplace",
    "language",
    "last_message_at",
    "state",
    "waiting_since",
    "near_limit_told_at",
    "due_at",
]


def _reopen(conversation: Conversation, items) -> None:
    earliest = min(received for received, *_ in items)
    latest = max(received for received, *_ in items)
    _, name, market, text = max(items, key=lambda item: item[0])
    conversation.buyer_name = name
    conversation.marketplace = market or conversation.marketplace
    conversation.language = conversation.language or buyers.language(market, text)
    conversation.last_message_at = max(filter(None, [conversation.last_message_at, latest]))
    if conversation.state != Conversation.State.WAITING or conversation.waiting_since is None:
        conversation.state = Conversation.State.WAITING
        conversation.waiting_since = earliest
        conversation.near_limit_told_at = None
    else:
        conversation.waiting_since = min(conversation.waiting_since, earliest)
    conversation.due_at = conversation.waiting_since + AMAZON_LIMIT


# --- Replying ---------------------------------------------------------------------------


def _latest_mail(conversation: Conversation):
    latest = conversation.messages.select_related("message").order_by("-received_at").first()
    if latest is None:
        raise ValidationError("This conversation has no buyer message to answer.")
    return latest.message


def _checked(body: str) -> str:
    """The reply as it will be sent, or ValidationError saying why Amazon would refuse it."""
    body = (body or "").strip()
    if not body:
        raise ValidationError("The reply is empty.")
    problems = buyers.reply_problems(body)
    if problems:
        raise ValidationError(problems)
    return body


def conversation_reply_send(
    *, conversation: Conversation, body: str, by, kind: str = Reply.Kind.REPLY, attachments=()
) -> Reply:
    """Send a reply to the buyer through Amazon's relay, threaded to their last message.
    Refused before sending when Amazon would reject it (a link, an email address, not a
    relay address). Returns the Reply: sent, or failed with the reason."""
    body = _checked(body)
    if not buyers.is_amazon_relay(conversation.relay_address):
        raise ValidationError(
            f"{conversation.relay_address} is not an Amazon relay address: replies to buyers "
            "must go through Amazon (…@marketplace.amazon.…)."
        )
    return mail_reply_send(
        message=_latest_mail(conversation),
        body=body,
        by=by,
        conversation=conversation,
        kind=kind,
        attachments=attachments,
    )


def conversation_replied(*, reply: Reply) -> None:
    """The mail server accepted `reply`: every buyer message before it is answered (the
    clock stops). Once every message has a real reply (not only a holding one) or was
    marked "no response needed", the buyer's mail goes to Trash."""
    conversation = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
    now = timezone.now()
    BuyerMessage.objects.filter(
        conversation=conversation, answered_at__isnull=True, received_at__lte=reply.created_at
    ).update(answered_at=now, answered_by_reply=reply)
    if _settle(conversation) and reply.kind == Reply.Kind.REPLY:
        Conversation.objects.filter(pk=conversation.pk).update(draft="")
    if reply.kind == Reply.Kind.REPLY:
        _trash_when_all_answered(conversation, reason=f"answered (reply {reply.pk} accepted)")


def _settle(conversation: Conversation) -> bool:
    """Stop the clock when no buyer message waits any more. True when it stopped."""
    if conversation.messages.filter(answered_at__isnull=True).exists():
        return False
    Conversation.objects.filter(pk=conversation.pk).update(
        state=Conversation.State.ANSWERED, waiting_since=None, due_at=None
    )
    return True


def _trash_when_all_answered(conversation: Conversation, *, reason: str) -> int:
    """Only when nothing in the conversation waits for a reply, and the last reply was a
    real one (a holding reply does not answer the question)."""
    if conversation.messages.filter(answered_at__isnull=True).exists():
        return 0
    last = conversation.replies.filter(state=Reply.State.SENT).order_by("-sent_at").first()
    no_reply_needed = not conversation.messages.filter(no_response_why="").exists()
    if not no_reply_needed and (last is None or last.kind != Reply.Kind.REPLY):
        return 0
    trashed = 0
    for bm in conversation.messages.select_related("message", "message__folder"):
        mail = bm.message
        if mail.uid is None or mail.folder.role == "trash":
            continue
        if mail.actions.filter(
            kind=MailAction.Kind.TRASH, state__in=["pending", "running"]
        ).exists():
            continue
        mail_action_request(message=mail, kind=MailAction.Kind.TRASH, reason=reason)
        trashed += 1
    return trashed


def buyer_message_no_response(*, buyer_message: BuyerMessage, by, why: str) -> None:
    """Record that a buyer message needs no reply (Amazon's own flag is only in Seller
    Central). Counts as answered for the desk's clock and for moving mail to Trash."""
    why = " ".join((why or "").split())
    if not why:
        raise ValidationError("Say why no response is needed.")
    with transaction.atomic():
        BuyerMessage.objects.filter(pk=buyer_message.pk).update(
            answered_at=timezone.now(), no_response_by=by, no_response_why=why[:255]
        )
        conversation = Conversation.objects.select_for_update().get(
            pk=buyer_message.conversation_id
        )
        _settle(conversation)
        _trash_when_all_answered(conversation, reason=f"no response needed: {why}"[:255])


def reply_retry(*, reply: Reply) -> Reply:
    from inbox.replies import reply_deliver

    if reply.state == Reply.State.SENT:
        return reply
    return reply_deliver(reply=reply)


# --- Asking the owner -------------------------------------------------------------------


def holding_template(conversation: Conversation) -> ReplyTemplate | None:
    holding = ReplyTemplate.objects.filter(purpose=ReplyTemplate.Purpose.HOLDING)
    return (
        holding.filter(language=conversation.language).first()
        or holding.filter(language="en").first()
        or holding.first()
    )


def conversation_ask_owner(*, conversation: Conversation, by, question: str = "") -> Reply:
    """The seed: tell the buyer you are checking with a supervisor (signed with your full
    name), and send the question to the owner. The escalation opens only once the holding
    reply was accepted; if it was not, nothing is opened and the reason is shown."""
    from escalations.services import escalation_open

    template = holding_template(conversation)
    if template is None:
        raise ValidationError("There is no holding reply template (Admin > Reply templates).")
    body = template.render(
        buyer_name=conversation.buyer_name,
        order_id=conversation.order_id,
        assistant_name=by.full_name,
    )
    reply = conversation_reply_send(
        conversation=conversation, body=body, by=by, kind=Reply.Kind.HOLDING
    )
    if reply.state != Reply.State.SENT:
        return reply
    asked = question.strip() or _unanswered_text(conversation)
    summary = (
        f"Buyer {conversation.buyer_name} (order {conversation.order_id or '?'}) asks: {asked}"
    )
    escalation_open(
        about="buyer_question",
        summary=summary[:300],
        details=asked,
        conversation=conversation,
        by=by,
    )
    return reply


def conversation_send_for_approval(*, conversation: Conversation, body: str, by):
    """A reply the owner approves (or edits) on their page before it goes to the buyer."""
    from escalations.services import escalation_open

    body = _checked(body)
    summary = f"Approve a reply to {conversation.buyer_name} (order {conversation.order_id or '?'})"
    return escalation_open(
        about="draft",
        summary=summary,
        details=_unanswered_text(conversation),
        draft=body,
        conversation=conversation,
        by=by,
    )


def _unanswered_text(conversation: Conversation) -> str:
    waiting = conversation.messages.filter(answered_at__isnull=True) or conversation.messages
    return "\n\n".join(m.text for m in waiting.order_by("received_at"))[:2000] or "(no text)"


def conversation_owner_answered(
    *, conversation: Conversation, answer: str, about: str, approved: bool
) -> Reply | None:
    """The owner answered a buyer's question: draft the reply from it. The owner approved a
    draft reply: send it as approved."""
    from sellerdesk.selectors import assistant_on_duty

    assistant = assistant_on_duty()
    if approved and about == "draft":
        return conversation_reply_send(conversation=conversation, body=answer, by=assistant)
    signature = assistant.full_name if assistant else ""
    draft = f"Hello {conversation.buyer_name},\n\n{answer.strip()}\n\nBest regards,\n{signature}"
    Conversation.objects.filter(pk=conversation.pk).update(draft=draft.strip())
    return None


# --- The clock --------------------------------------------------------------------------


def conversations_check_clock(*, now=None) -> int:
    """Open one escalation for each waiting conversation near Amazon's 24-hour limit (once
    per waiting period)."""
    from escalations.services import escalation_open

    now = now or timezone.now()
    near = now + timedelta(hours=settings.BUYER_WARN_HOURS)
    told = 0
    for conversation in Conversation.objects.filter(
        state=Conversation.State.WAITING, due_at__lte=near, near_limit_told_at__isnull=True
    ):
        claimed = Conversation.objects.filter(
            pk=conversation.pk, near_limit_told_at__isnull=True
        ).update(near_limit_told_at=now)
        if not claimed:
            continue
        left = conversation.due_at - now
        when = timezone.localtime(conversation.due_at).strftime("%a %H:%M")
        state = "is overdue" if left.total_seconds() <= 0 else f"must be answered by {when}"
        escalation_open(
            about="buyer_question",
            summary=f"Buyer {conversation.buyer_name} (order {conversation.order_id or '?'}) "
            f"{state}: Amazon counts replies after 24 h against you.",
            details=_unanswered_text(conversation),
            conversation=conversation,
        )
        told += 1
    return told


# --- Answer memory ----------------------------------------------------------------------

_WORD = re.compile(r"\w{3,}", re.UNICODE)
STOPWORDS = {
    "the",
    "and",
    "you",
    "your",
    "for",
    "are",
    "was",
    "were",
    "with",
    "this",
    "that",
    "have",
    "has",
    "had",
    "not",
    "but",
    "can",
    "could",
    "would",
    "please",
    "thanks",
    "thank",
    "hello",
    "dear",
    "order",
    "item",
    "from",
    "what",
    "when",
    "where",
    "which",
    "will",
    "there",
    "their",
    "about",
    "just",
    "they",
    "them",
    "then",
    "than",
    "been",
    "also",
    "very",
    "into",
    "more",
    "some",
    "only",
}


def _terms(text: str) -> set[str]:
    return {
        w
        for w in (m.group(0).casefold() for m in _WORD.finditer(text or ""))
        if w not in STOPWORDS and not w.isdigit()
    }


def suggestions_for(*, conversation: Conversation, limit: int = 3) -> list[dict]:
    """Earlier answers to questions like this one: replies sent to other buyers and the
    owner's answers, ranked by how many words the questions share. Offline, no service."""
    question = _terms(_unanswered_text(conversation))
    if not question:
        return []
    candidates = []
    answered = (
        BuyerMessage.objects.filter(
            answered_by_reply__isnull=False, answered_by_reply__kind=Reply.Kind.REPLY
        )
        .exclude(conversation=conversation)
        .select_related("answered_by_reply", "conversation")
        .order_by("-answered_at")[:2000]
    )
    for bm in answered:
        candidates.append((bm.text, bm.answered_by_reply.body, f"reply to {bm.buyer_name}"))
    from escalations.selectors import owner_answers

    for details, answer in owner_answers(limit=2000):
        candidates.append((details, answer, "the owner's answer"))
    scored = []
    for asked, answer, source in candidates:
        terms = _terms(asked)
        if not terms:
            continue
        score = len(question & terms) / len(question | terms)
        if score >= 0.12:
            scored.append((score, asked, answer, source))
    scored.sort(key=lambda s: -s[0])
    seen, result = set(), []
    for score, asked, answer, source in scored:
        if answer in seen:
            continue
        seen.add(answer)
        result.append(
            {"score": round(score, 2), "question": asked, "answer": answer, "source": source}
        )
        if len(result) == limit:
            break
    return result
