"""The reply queue: buyers' messages gathered into conversations, the 24-hour clock, replies
sent through Amazon's relay (SMTP from the seller's registered address, `buyers.replies`),
and the owner asked and answering."""

import re
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from buyers import parsing
from buyers.greetings import framed
from buyers.models import BuyerMessage, Conversation, Reply, ReplyTemplate
from buyers.order_cards import orders_named
from buyers.replies import (
    conversation_settle,
    mail_reply_write,
    reply_deliver,
    trash_when_all_answered,
)
from buyers.selectors import unanswered_text
from buyers.suggestions import refresh_soon
from escalations import gsm
from escalations.models import Escalation
from escalations.selectors import owner_answer_for_conversation
from escalations.services import escalation_open
from sellerdesk.bulkinsert import insert_rows
from sellerdesk.selectors import assistant_on_duty

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
        market = parsing.marketplace(m.from_address)
        facts.append(
            (
                m,
                parsing.buyer_name(m.from_name),
                m.from_address.lower(),
                parsing.order_id(m.subject, text),
                market,
                parsing.buyer_text(text),
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
        # Each mail is filed once: the caller holds it (claimed, or stored in this very
        # transaction) and the ones filed already were left out above.
        insert_rows(
            BuyerMessage,
            ["message", "conversation", "text", "received_at"],
            [
                (m.pk, found[(relay, order)].pk, text, received)
                for m, _name, relay, order, _market, text, received in facts
            ],
        )
    # Mail that was there before the desk (history) is looked up when opened, not all at once.
    orders_named(facts={(o, market) for m, _, _, o, market, _, _ in facts if not m.is_history})
    if any(not m.is_history for m, *_ in facts):
        refresh_soon()
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


def reopen_conversation(conversation: Conversation, items) -> None:
    """Waiting again from the oldest of `items` ((received, name, marketplace, text)),
    saved: a new message, or a reply that came back."""
    _reopen(conversation, items)
    conversation.save(update_fields=REOPEN_FIELDS)


def _reopen(conversation: Conversation, items) -> None:
    earliest = min(received for received, *_ in items)
    latest = max(received for received, *_ in items)
    _, name, market, text = max(items, key=lambda item: item[0])
    conversation.buyer_name = name
    conversation.marketplace = market or conversation.marketplace
    conversation.language = conversation.language or parsing.language(market, text)
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
    problems = parsing.reply_problems(body)
    if problems:
        raise ValidationError(problems)
    return body


OWNER_WORDS = (
    "This reply still holds the owner's note word for word: the owner wrote it to you, not "
    'to the buyer. Rewrite it for the buyer, or tick "Send the owner\'s words as they are".'
)


def holds_owner_words(body: str, note: str, run: int = 6) -> bool:
    """Whether `body` still holds the owner's `note` as written: the whole note, or, for a
    longer one, any `run` of its words in a row (case and spacing aside)."""
    words = re.findall(r"\w+", (note or "").lower())
    said = " " + " ".join(re.findall(r"\w+", (body or "").lower())) + " "
    if len(words) < 4:  # "Yes", "Refund them": words any reply may hold
        return False
    size = min(run, len(words))
    return any(
        f" {' '.join(words[at : at + size])} " in said for at in range(len(words) - size + 1)
    )


def conversation_reply_send(
    *, conversation: Conversation, body: str, by, kind: str = Reply.Kind.REPLY, attachments=(),
    owner_words_confirmed: bool = True,
) -> Reply:  # fmt: skip
    """Send a reply to the buyer through Amazon's relay, threaded to their last message.
    Refused before sending when Amazon would reject it (a link, an email address, not a
    relay address), and, unless confirmed, while it holds the owner's note to the assistant
    word for word. Returns the Reply: sent, or failed with the reason."""
    if not owner_words_confirmed:
        note = owner_answer_for_conversation(conversation_id=conversation.pk)
        if note is not None and holds_owner_words(body, note.answer):
            raise ValidationError(OWNER_WORDS)
    reply = _reply_write(
        conversation=conversation, body=body, by=by, kind=kind, attachments=attachments
    )
    return reply_deliver(reply=reply)


def _reply_write(*, conversation: Conversation, body: str, by, kind: str, attachments) -> Reply:
    body = _checked(body)
    if not parsing.is_amazon_relay(conversation.relay_address):
        raise ValidationError(
            f"{conversation.relay_address} is not an Amazon relay address: replies to buyers "
            "must go through Amazon (…@marketplace.amazon.…)."
        )
    return mail_reply_write(
        message=_latest_mail(conversation),
        body=body,
        by=by,
        conversation=conversation,
        kind=kind,
        attachments=attachments,
    )


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
        conversation_settle(conversation)
        trash_when_all_answered(conversation, reason=f"no response needed: {why}"[:255])


def reply_retry(*, reply: Reply) -> Reply:
    if reply.state != Reply.State.FAILED:  # sent, sending, or returned: nothing to retry
        return reply
    return reply_deliver(reply=reply)


# --- Asking the owner -------------------------------------------------------------------


def holding_template(conversation: Conversation) -> ReplyTemplate | None:
    holding = ReplyTemplate.objects.filter(
        purpose=ReplyTemplate.Purpose.HOLDING, removed_at__isnull=True
    )
    return (
        holding.filter(language=conversation.language).first()
        or holding.filter(language="en").first()
        or holding.first()
    )


def ask_owner_summary(conversation: Conversation, question: str = "") -> str:
    """The summary "Ask the owner" proposes (the assistant edits it before it goes): the
    buyer's question, or, in a script the owner cannot read transliterated, what it is in
    plain words ("Japanese-language question from a buyer, order 503-...")."""
    asked = " ".join((question.strip() or unanswered_text(conversation)).split())
    order = conversation.order_id or "?"
    language = gsm.language_of(asked) or gsm.language_of(conversation.buyer_name)
    if language:
        return f"{language}-language question from a buyer, order {order}"[:300]
    return f"Buyer {conversation.buyer_name} (order {order}) asks: {asked}"[:300]


def conversation_ask_owner(
    *, conversation: Conversation, by, question: str = "", summary: str = ""
) -> Reply:
    """The seed: tell the buyer you are checking with a supervisor (signed with your full
    name), and send the question to the owner, in the summary the assistant saw and edited.
    The escalation opens only once the holding reply was accepted; if it was not, nothing
    is opened and the reason is shown."""
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
    asked = question.strip() or unanswered_text(conversation)
    escalation_open(
        about="buyer_question",
        summary=(summary.strip() or ask_owner_summary(conversation, question))[:300],
        details=asked,
        conversation=conversation,
        by=by,
    )
    return reply


def conversation_send_for_approval(*, conversation: Conversation, body: str, by):
    """A reply the owner approves (or edits) on their page before it goes to the buyer."""
    body = _checked(body)
    summary = f"Approve a reply to {conversation.buyer_name} (order {conversation.order_id or '?'})"
    return escalation_open(
        about="draft",
        summary=summary,
        details=unanswered_text(conversation),
        draft=body,
        conversation=conversation,
        by=by,
    )


def conversation_owner_answered(*, escalation: Escalation) -> None:
    """The owner answered an escalation about a buyer (handed on by escalations, inside the
    transaction that records the answer). A question answered: the reply is drafted from
    it. A draft reply approved: what the owner approved (the draft, or their edit) is
    written now and sent once the answer is committed (a failed send is shown in the
    conversation)."""
    if escalation.conversation_id is None or (
        escalation.answer_kind == Escalation.AnswerKind.DISMISSED
    ):
        return
    conversation = escalation.conversation
    assistant = assistant_on_duty()
    approved = escalation.answer_kind in (
        Escalation.AnswerKind.APPROVED,
        Escalation.AnswerKind.EDITED,
    )
    if approved and escalation.about == Escalation.About.DRAFT:
        reply = _reply_write(
            conversation=conversation,
            body=escalation.answer,
            by=assistant,
            kind=Reply.Kind.REPLY,
            attachments=(),
        )
        Reply.objects.filter(pk=reply.pk).update(approved_in=escalation)
        transaction.on_commit(lambda: reply_deliver(reply=reply))
        return
    # A question answered: the conversation shows the answer above the composer, framed in
    # the buyer's language, for the assistant to insert (`owner_answer_framed`).


def owner_answer_framed(*, conversation: Conversation, escalation: Escalation, by) -> str:
    """The owner's answer wrapped in the buyer's language greeting and sign-off."""
    return framed(
        escalation.answer,
        language=conversation.language or "en",
        buyer_name=conversation.buyer_name,
        signature=by.full_name if by else "",
    )


# --- The clock --------------------------------------------------------------------------


def conversations_check_clock(*, now=None) -> int:
    """Open one escalation for each waiting conversation near Amazon's 24-hour limit (once
    per waiting period)."""
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
            details=unanswered_text(conversation),
            conversation=conversation,
        )
        told += 1
    return told
