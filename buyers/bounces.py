"""Replies that came back. A delivery status notification (RFC 3464: `multipart/report` with a
`message/delivery-status` part and the returned mail or its headers), or a mail server's or
Amazon's notice that a message could not be delivered, names the reply by its Message-ID.
(Only the returned mail's own Message-ID counts, never its References.) Such mail is not
news for the owner: the reply is marked returned, with the reason the
report gives; the buyer's messages it answered wait again, so the conversation is back at
the top of the queue (its clock running from the oldest of them); the buyer's mail comes
back from Trash; and the report is filed with the reply. Mail that looks like a report but
names no reply the desk sent goes on to the owner as before; a second report about a reply
already returned is filed with it too, and changes nothing.
"""

import re
from email.parser import BytesHeaderParser

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
_HEADERS = BytesHeaderParser()
_MESSAGE_ID = re.compile(r"<[^<>\s@]{1,250}@[^<>\s]{1,250}>")
_DIAGNOSTIC = re.compile(r"^Diagnostic-Code:\s*(?:[\w-]+;\s*)?(.+(?:\r?\n[ \t].+)*)", re.I | re.M)
_STATUS = re.compile(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", re.IGNORECASE | re.MULTILINE)


def replies_returned(messages: list[Message]) -> set[int]:
    """Of `messages` (mail about to go to the owner), the ids of the delivery reports that
    name a reply the desk sent to a buyer, each settled as the module says."""
    parts: dict[int, list[tuple[str, bytes]]] = {}
    for message_id, ctype, content in Attachment.objects.filter(
        message__in=[m.pk for m in messages], content_type__in=REPORT_PARTS
    ).values_list("message_id", "content_type", "content"):
        parts.setdefault(message_id, []).append((ctype, bytes(content or b"")))
    taken = set()
    for message in messages:
        found = parts.get(message.pk, [])
        if not _is_a_report(message, found):
            continue
        returned = list(
            Reply.objects.filter(
                header_message_id__in=_returned_ids(found),
                state__in=[Reply.State.SENT, Reply.State.BOUNCED],
            ).select_related("conversation")
        )
        if not returned:
            continue
        text = _text_of(message) + "\n" + b"\n".join(c for _, c in found).decode("utf-8", "replace")
        reason = _reason(text)
        for reply in returned:
            _returned(reply, report=message, reason=reason)
        if any(reply.conversation_id is None for reply in returned):
            continue  # a reply to an escalated mail came back: the owner hears of it as before
        Message.objects.filter(pk=message.pk).update(
            kind=MailKind.KEEP,
            rule_name=f"Delivery report: a reply to {returned[0].to} came back"[:120],
        )
        taken.add(message.pk)
    return taken


def _is_a_report(message: Message, parts) -> bool:
    """A delivery report: its machine-readable part, or a mail server's or Amazon's notice
    (by sender or subject) returning a mail or its headers. A mail forwarded as an
    attachment is neither."""
    types = {ctype for ctype, _ in parts}
    if types & {"message/delivery-status", "message/global-delivery-status"}:
        return True
    notice = _SENDERS.match(message.from_address or "") or _SUBJECTS.search(message.subject or "")
    return bool(notice) and bool(types)


def _returned_ids(parts) -> set[str]:
    """The Message-ID of each returned mail (or returned headers): only that header, so a
    References line naming earlier replies points at none of them."""
    ids = set()
    for ctype, content in parts:
        if ctype in ("message/delivery-status", "message/global-delivery-status"):
            continue
        head = content.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        header = _HEADERS.parsebytes(head + b"\r\n\r\n").get("Message-ID", "")
        ids.update(_MESSAGE_ID.findall(str(header)))
    return ids


def _text_of(message: Message) -> str:
    try:
        return message.content.text or ""
    except Message.content.RelatedObjectDoesNotExist:
        return ""


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
