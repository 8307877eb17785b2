"""Reads on the mailbox, for pages and for other apps."""

from django.db.models import Count, Q, QuerySet

from inbox.models import Folder, Mailbox, Message

FOLDER_FILTERS = {
    "inbox": Q(folder__role=Folder.Role.INBOX, removed_at__isnull=True),
    "spam": Q(folder__role=Folder.Role.SPAM, removed_at__isnull=True),
    "trash": Q(folder__role=Folder.Role.TRASH, removed_at__isnull=True),
    "removed": Q(removed_at__isnull=False),
    "all": Q(),
}


def message_list(*, folder: str = "inbox", search: str = "") -> QuerySet[Message]:
    where = FOLDER_FILTERS.get(folder, FOLDER_FILTERS["inbox"])
    return (
        Message.objects.filter(where)
        .search(search)
        .select_related("folder", "mailbox")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-date", "-id")
    )


def message_detail(*, pk: int) -> Message:
    return (
        Message.objects.select_related("folder", "origin", "mailbox", "classified_by", "content")
        .prefetch_related(
            "attachments", "actions__requested_by", "actions__undone_by", "escalations"
        )
        .defer("content__raw")
        .get(pk=pk)
    )


def mailbox_status() -> list[Mailbox]:
    return list(Mailbox.objects.filter(is_active=True).order_by("name"))


def conversation_queue(*, state: str = "waiting"):
    from inbox.models import Conversation

    conversations = Conversation.objects.annotate(
        waiting_count=Count("messages", filter=Q(messages__answered_at__isnull=True))
    )
    if state == "waiting":
        return conversations.filter(state=Conversation.State.WAITING).order_by("due_at", "pk")
    return conversations.exclude(state=Conversation.State.WAITING).order_by("-last_message_at")


def conversation_history(*, conversation) -> list[tuple]:
    """(when, who, kind, object) for every buyer message and reply, oldest first."""
    items = [(m.received_at, "buyer", m) for m in conversation.messages.select_related("message")]
    items += [
        (r.created_at, "reply", r) for r in conversation.replies.prefetch_related("attachments")
    ]
    return sorted(items, key=lambda item: item[0])


def reply_templates_for(*, conversation):
    from inbox.models import ReplyTemplate

    return ReplyTemplate.objects.filter(
        Q(language="") | Q(language=conversation.language), purpose=ReplyTemplate.Purpose.REPLY
    )


def mail_checklist() -> dict:
    """The mailbox line of the checklist: mail in Inbox and Spam not dealt with yet (not
    decided, or its move still waiting), when it was last synced, and sync errors."""
    from django.db.models import Max

    from inbox.models import MailAction

    undecided = Message.objects.filter(
        classified_at__isnull=True, uid__isnull=False,
        folder__role__in=[Folder.Role.INBOX, Folder.Role.SPAM],
    ).count()  # fmt: skip
    waiting = MailAction.objects.filter(
        state__in=[MailAction.State.PENDING, MailAction.State.RUNNING, MailAction.State.FAILED]
    ).count()
    boxes = Mailbox.objects.filter(is_active=True).aggregate(
        last_sync=Max("last_sync_at"), boxes=Count("pk")
    )
    errors = list(
        Mailbox.objects.filter(is_active=True)
        .exclude(last_error="")
        .values_list("name", "last_error")
    )
    return {"unprocessed": undecided + waiting, "last_sync": boxes["last_sync"],
            "mailboxes": boxes["boxes"], "errors": errors}  # fmt: skip


def buyer_checklist(*, now) -> dict:
    from django.db.models import Min

    from inbox.models import Conversation

    waiting = Conversation.objects.filter(state=Conversation.State.WAITING)
    figures = waiting.aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)), next_due=Min("due_at")
    )
    return figures
