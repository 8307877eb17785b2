"""Replies to stored mail, sent over SMTP from the seller's address and threaded."""

from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inbox.actions import mail_action_request
from inbox.models import MailAction, Message, Reply, ReplyAttachment
from sellerdesk.smtp import MailSendError, smtp_send

MAX_BODY = 20_000


def reply_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    return subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()


MAX_ATTACHMENTS_BYTES = 10 * 1024 * 1024


def mail_reply_send(
    *,
    message: Message,
    body: str,
    by,
    conversation=None,
    kind: str = Reply.Kind.REPLY,
    attachments=(),
) -> Reply:
    """Write the reply down, hand it to the SMTP server, and only once it is accepted touch
    the mail: a buyer's conversation is marked answered (its mail goes to Trash once every
    message in it is); any other mail is marked read. A refused or failed send leaves the
    mail as it is and the reply marked failed with the server's reason."""
    body = body.strip()
    if not body:
        raise ValidationError("The reply is empty.")
    if len(body) > MAX_BODY:
        raise ValidationError(f"The reply is longer than {MAX_BODY:,} characters.")
    to = message.from_address
    if not to or "@" not in to:
        raise ValidationError("This mail has no sender address to reply to.")
    attachments = list(attachments)
    total = sum(len(content) for _, _, content in attachments)
    if total > MAX_ATTACHMENTS_BYTES:
        raise ValidationError(
            f"The attachments come to {total / 1048576:.1f} MB; at most 10 MB can be sent."
        )
    references = " ".join(filter(None, [message.references, message.message_id])).strip()
    reply = Reply.objects.create(
        message=message,
        from_address=settings.SELLER_EMAIL,
        to=to,
        subject=reply_subject(message.subject)[:998],
        body=body,
        header_message_id=make_msgid(domain=settings.SELLER_EMAIL.rpartition("@")[2] or None),
        in_reply_to=message.message_id,
        references=references,
        sent_by=by,
        conversation=conversation,
        kind=kind,
    )
    ReplyAttachment.objects.bulk_create(
        ReplyAttachment(reply=reply, filename=name[:255], content_type=ctype[:100],
                        size=len(content), content=content)
        for name, ctype, content in attachments
    )  # fmt: skip
    return reply_deliver(reply=reply)


def reply_deliver(*, reply: Reply) -> Reply:
    """Send (or send again) a reply that was not accepted yet."""
    claimed = (
        Reply.objects.filter(pk=reply.pk)
        .exclude(state=Reply.State.SENT)
        .update(state=Reply.State.SENDING, attempts=F("attempts") + 1)
    )
    if not claimed:
        return reply
    headers = {"Message-ID": reply.header_message_id}
    if reply.in_reply_to:
        headers["In-Reply-To"] = reply.in_reply_to
    if reply.references:
        headers["References"] = reply.references
    mail = EmailMessage(reply.subject, reply.body, from_email=reply.from_address,
                        to=[reply.to], headers=headers)  # fmt: skip
    for attachment in reply.attachments.all():
        mail.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    try:
        smtp_send(mail)
    except MailSendError as exc:
        Reply.objects.filter(pk=reply.pk).update(state=Reply.State.FAILED, error=str(exc))
        reply.refresh_from_db()
        return reply
    with transaction.atomic():
        Reply.objects.filter(pk=reply.pk).update(
            state=Reply.State.SENT, sent_at=timezone.now(), error=""
        )
        if reply.conversation_id:
            from inbox.conversations import conversation_replied

            conversation_replied(reply=reply)
        else:
            mail_seen(message=reply.message, by=reply.sent_by, reason="replied from the desk")
    reply.refresh_from_db()
    return reply


def mail_seen(*, message: Message, by, reason: str) -> None:
    """Mark a mail read on the server (unless it is, or is about to be)."""
    pending = message.actions.filter(kind=MailAction.Kind.MARK_READ,
                                     state__in=["pending", "running"]).exists()  # fmt: skip
    if not pending and message.uid is not None:
        mail_action_request(message=message, kind=MailAction.Kind.MARK_READ, by=by, reason=reason)
