"""Replies to stored mail, sent over SMTP from the seller's address and threaded, and what
follows once the mail server accepted one: a buyer's messages are answered (their mail goes
to Trash once the whole conversation is), any other mail is marked read."""

from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from buyers.models import BuyerMessage, Conversation, Reply, ReplyAttachment
from buyers.suggestions import refresh_soon
from escalations.models import Escalation
from escalations.services import escalation_close, escalations_resolve
from inbox.actions import mail_action_request, mail_seen
from inbox.models import MailAction, Message
from inbox.senders import is_account_mail, takes_no_reply, why_no_reply
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
    reply = mail_reply_write(
        message=message,
        body=body,
        by=by,
        conversation=conversation,
        kind=kind,
        attachments=attachments,
    )
    return reply_deliver(reply=reply)


def mail_reply_write(
    *,
    message: Message,
    body: str,
    by,
    conversation=None,
    kind: str = Reply.Kind.REPLY,
    attachments=(),
) -> Reply:
    """The reply as a row (with its attachments), ready for reply_deliver()."""
    body = body.strip()
    if not body:
        raise ValidationError("The reply is empty.")
    if len(body) > MAX_BODY:
        raise ValidationError(f"The reply is longer than {MAX_BODY:,} characters.")
    to = message.from_address
    if not to or "@" not in to:
        raise ValidationError("This mail has no sender address to reply to.")
    if takes_no_reply(to):
        raise ValidationError(f"{to} takes no reply: a reply by mail would reach no one.")
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
    return reply


def reply_deliver(*, reply: Reply) -> Reply:
    """Send a reply written and not tried yet, or again one that failed: claimed by a
    conditional UPDATE, so two retries at once send it once; a reply accepted, or accepted
    and then returned, is never sent again."""
    claimed = Reply.objects.filter(
        Q(state=Reply.State.FAILED) | Q(state=Reply.State.SENDING, attempts=0), pk=reply.pk
    ).update(state=Reply.State.SENDING, attempts=F("attempts") + 1)
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
            conversation_replied(reply=reply)
        else:
            mail_seen(message=reply.message, by=reply.sent_by, reason="replied from the desk")
    reply.refresh_from_db()
    return reply


def conversation_replied(*, reply: Reply) -> None:
    """The mail server accepted `reply`: every buyer message before it is answered (the
    clock stops). Once every message has a real reply (not only a holding one) or was
    marked "no response needed", the buyer's mail goes to Trash."""
    conversation = Conversation.objects.select_for_update().get(pk=reply.conversation_id)
    now = timezone.now()
    BuyerMessage.objects.filter(
        conversation=conversation, answered_at__isnull=True, received_at__lte=reply.created_at
    ).update(answered_at=now, answered_by_reply=reply)
    if conversation_settle(conversation) and reply.kind == Reply.Kind.REPLY:
        Conversation.objects.filter(pk=conversation.pk).update(draft="")
    if reply.kind == Reply.Kind.REPLY:
        refresh_soon()  # the answer may be the best one for a question still waiting
        trash_when_all_answered(conversation, reason=f"answered (reply {reply.pk} accepted)")
        # The buyer has the answer: the clock's and the owner's questions about it end here.
        escalations_resolve(
            escalations=Escalation.objects.filter(
                conversation=conversation,
                about__in=[Escalation.About.BUYER_QUESTION, Escalation.About.DRAFT],
            ),
            reason=f"Reply sent to {conversation.buyer_name} (accepted by the mail server).",
            by=reply.sent_by,
        )


def conversation_settle(conversation: Conversation) -> bool:
    """Stop the clock when no buyer message waits any more. True when it stopped."""
    if conversation.messages.filter(answered_at__isnull=True).exists():
        return False
    Conversation.objects.filter(pk=conversation.pk).update(
        state=Conversation.State.ANSWERED, waiting_since=None, due_at=None
    )
    return True


def trash_when_all_answered(conversation: Conversation, *, reason: str) -> int:
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


# --- An escalated mail, answered from the desk -------------------------------------------


def escalation_mail_reply(*, escalation: Escalation, body: str, by) -> Reply:
    """Answer the escalated mail from the desk; once the SMTP server took the reply the mail
    is marked read and the escalation resolved. A failed send changes neither."""
    if escalation.mail is None:
        raise ValidationError("This escalation is not about a mail.")
    refused = why_no_reply(escalation.mail.from_address, escalation.mail.subject)
    if refused:
        raise ValidationError(f"Nothing was sent. {refused}")
    reply = mail_reply_send(message=escalation.mail, body=body, by=by)
    if reply.state == reply.State.SENT:
        escalation_close(escalation=escalation, by=by, reason="Replied to the mail from the desk.")
    return reply


def escalation_mail_handled(*, escalation: Escalation, by, note: str = "") -> None:
    """The mail needs no reply from the desk (handled elsewhere): mark it read, resolve,
    with a note of what was done. Amazon's account-level mail needs the note: it is handled
    in Seller Central, and the escalation stays open (and chased) until someone says how."""
    if escalation.mail is None:
        raise ValidationError("This escalation is not about a mail.")
    note = " ".join((note or "").split())
    account = is_account_mail(escalation.mail.from_address, escalation.mail.subject)
    if account and not note:
        raise ValidationError(
            "Say what you did in Seller Central (for example: responded to the claim, "
            "shipped a replacement) before marking it handled."
        )
    reason = ("Handled in Seller Central" if account else "The mail was handled") + (
        f": {note}" if note else "."
    )
    with transaction.atomic():
        mail_seen(message=escalation.mail, by=by, reason=f"handled (#{escalation.reference})")
        escalation_close(escalation=escalation, by=by, reason=reason[:200])
