"""Replies that came back. A delivery status notification (RFC 3464: `multipart/report` with a
`message/delivery-status` part and the returned mail or its headers), or a mail server's or
Amazon's notice that a message could not be delivered, names the reply by its Message-ID.
Such mail is not news for the owner: the reply is marked returned, with the reason the
report gives; the buyer's messages it answered wait again, so the conversation is back at
the top of the queue (its clock running from the oldest of them); the buyer's mail comes
back from Trash; and the report is filed with the reply. Mail that looks like a report but
names no reply the desk sent goes on to the owner as before; a second report about a reply
already returned is filed with it too, and changes nothing.
"""

import re

from django.db.models import Q
from django.utils import timezone

from buyers.models import BuyerMessage, Conversation, Reply
from buyers.services import reopen_conversation
from inbox.actions import mail_action_request
from inbox.models import Attachment, Folder, MailAction, MailKind, Message

REPORT_PARTS = (
    "message/delivery-status", "message/global-delivery-status", "message/rfc822",
    "message/global", "text/rfc822-headers", "message/global-headers",
)  # fmt: skip
_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounces?)[@+.-]", re.IGNORECASE)
_SUBJECTS = re.compile(
    r"undeliver|not (be )?delivered|delivery (status notification|failure|has failed)"
    r"|returned mail|failure notice|mail delivery (failed|system)|zustellung|non remis",
    re.IGNORECASE,
)
_MESSAGE_ID = re.compile(r"<[^<>\s@]{1,250}@[^<>\s]{1,250}>")
_DIAGNOSTIC = re.compile(r"^Diagnostic-Code:\s*(?:[\w-]+;\s*)?(.+(?:\r?\n[ \t].+)*)", re.I | re.M)
_STATUS = re.compile(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", re.IGNORECASE | re.MULTILINE)


def replies_returned(messages: list[Message]) -> set[int]:
    """Of `messages` (mail about to go to the owner), the ids of the delivery reports that
    name a reply the desk sent, each settled as the module says."""
    parts: dict[int, list[bytes]] = {}
    for message_id, content in Attachment.objects.filter(
        message__in=[m.pk for m in messages], content_type__in=REPORT_PARTS
    ).values_list("message_id", "content"):
        parts.setdefault(message_id, []).append(bytes(content or b""))
    taken = set()
    for message in messages:
        if not _looks_like_a_report(message, parts.get(message.pk)):
            continue
        text = (
            _text_of(message)
            + "\n"
            + b"\n".join(parts.get(message.pk, ())).decode("utf-8", "replace")
        )
        ids = set(_MESSAGE_ID.findall(text))
        returned = list(
            Reply.objects.filter(
                header_message_id__in=ids, state__in=[Reply.State.SENT, Reply.State.BOUNCED]
            ).select_related("conversation")
        )
        if not returned:
            continue
        reason = _reason(text)
        for reply in returned:
            _returned(reply, report=message, reason=reason)
        Message.objects.filter(pk=message.pk).update(
            kind=MailKind.KEEP,
            rule_name=f"Delivery report: a reply to {returned[0].to} came back"[:120],
        )
        taken.add(message.pk)
    return taken


def _text_of(message: Message) -> str:
    try:
        return message.content.text or ""
    except Message.content.RelatedObjectDoesNotExist:
        return ""


def _looks_like_a_report(message: Message, parts) -> bool:
    return bool(parts) or bool(
        _SENDERS.match(message.from_address or "") or _SUBJECTS.search(message.subject or "")
    )


def _reason(text: str) -> str:
    """What the report says went wrong, in its own words (the first diagnostic)."""
    diagnostic = _DIAGNOSTIC.search(text)
    if diagnostic:
        return " ".join(diagnostic.group(1).split())[:300]
    status = _STATUS.search(text)
    if status:
        return f"status {status.group(1)}"
    return "the receiving server returned it"


def _returned(reply: Reply, *, report: Message, reason: str) -> None:
    now = timezone.now()
    claimed = Reply.objects.filter(pk=reply.pk, state=Reply.State.SENT).update(
        state=Reply.State.BOUNCED,
        error=f"Returned undelivered: {reason}"[:2000],
        returned_by=report,
        returned_at=now,
    )
    if not claimed or reply.conversation_id is None:
        return
    answered = BuyerMessage.objects.filter(answered_by_reply=reply, no_response_why="")
    waiting = list(answered.select_related("message", "message__folder"))
    answered.update(answered_at=None, answered_by_reply=None)
    conversation = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
    items = [
        (bm.received_at, conversation.buyer_name, conversation.marketplace, bm.text)
        for bm in waiting
    ]
    reopen_conversation(conversation, items or [(reply.created_at, conversation.buyer_name,
                                                  conversation.marketplace, "")])  # fmt: skip
    for bm in waiting:  # the buyer's mail, if it went to Trash once answered, comes back
        mail = bm.message
        trashed = mail.folder.role == Folder.Role.TRASH and mail.uid is not None
        restoring = mail.actions.filter(
            Q(kind=MailAction.Kind.RESTORE), state__in=["pending", "running"]
        ).exists()
        if trashed and not restoring:
            mail_action_request(
                message=mail,
                kind=MailAction.Kind.RESTORE,
                reason=f"the reply to it came back (reply {reply.pk})",
            )
