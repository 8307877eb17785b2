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
