"""Reads on the mailbox, for pages and for other apps."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from inbox.models import Attachment, Folder, MailAction, Mailbox, Message
from inbox.search import SearchPage, found_ids, search_words
from sellerdesk.models import OAuthGrant
from sellerdesk.oauth import label as oauth_label

FOLDER_FILTERS = {
    "inbox": Q(folder__role=Folder.Role.INBOX, removed_at__isnull=True),
    "spam": Q(folder__role=Folder.Role.SPAM, removed_at__isnull=True),
    "trash": Q(folder__role=Folder.Role.TRASH, removed_at__isnull=True),
    "removed": Q(removed_at__isnull=False),
    "all": Q(),
}


def message_list(*, folder: str = "inbox") -> QuerySet[Message]:
    where = FOLDER_FILTERS.get(folder, FOLDER_FILTERS["inbox"])
    # Counted per listed mail, not by a GROUP BY over the folder: the page's count of the
    # folder then reads an index instead of joining every mail to its attachments.
    attachments = (
        Attachment.objects.filter(message=OuterRef("pk"))
        .values("message")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Message.objects.filter(where)
        .select_related("folder", "mailbox")
        .annotate(attachment_count=Coalesce(Subquery(attachments), 0, output_field=IntegerField()))
        .order_by("-date", "-id")
    )


def message_page(
    *, folder: str = "inbox", search: str = "", page: str | int | None = None, per_page: int = 50
) -> Page | SearchPage:
    """One page of the mail list, newest first; with a search, the mail matching every word
    (by its beginning) in subject, sender or text, best match first. A search page is not
    counted: a common word can match most of the mailbox, and counting it all is the cost;
    nor is all of it ranked: the best come from the newest matches (`found_ids`)."""
    if not search.strip():
        return Paginator(message_list(folder=folder), per_page).get_page(page)
    number = int(page) if str(page or "").isdigit() and int(page) > 0 else 1
    if not search_words(search):
        return SearchPage([], 1, False)
    where = FOLDER_FILTERS.get(folder, FOLDER_FILTERS["inbox"])
    start = (number - 1) * per_page
    ids = found_ids(Message.objects.filter(where), search, start=start, count=per_page + 1)
    rows = message_list(folder="all").filter(pk__in=ids[:per_page]).in_bulk()
    return SearchPage([rows[pk] for pk in ids[:per_page]], number, len(ids) > per_page)


def message_detail(*, pk: int) -> Message:
    return (
        Message.objects.select_related(
            "folder", "origin", "moved_from", "mailbox", "classified_by", "content"
        )
        .prefetch_related(
            "attachments", "actions__requested_by", "actions__undone_by", "escalations"
        )
        .defer("content__raw")
        .get(pk=pk)
    )


def mailbox_status() -> list[Mailbox]:
    return list(Mailbox.objects.filter(is_active=True).order_by("name"))


def mail_checklist() -> dict:
    """The mailbox line of the checklist: mail in Inbox and Spam not dealt with yet (not
    decided, or its move still waiting), when it was last synced, and sync errors."""
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
    # Mailboxes that sign in with Microsoft or Google and have no working grant: the
    # checklist offers Reconnect beside the error.
    live = set(
        OAuthGrant.objects.filter(state=OAuthGrant.State.ACTIVE).values_list("provider", "account")
    )
    reconnect = [
        {"mailbox": box.pk, "name": box.name, "account": box.username,
         "provider": box.oauth_provider, "label": oauth_label(box.oauth_provider)}
        for box in Mailbox.objects.filter(is_active=True).exclude(oauth_provider="")
        if (box.oauth_provider, box.username.lower()) not in live
    ]  # fmt: skip
    return {"unprocessed": undecided + waiting, "last_sync": boxes["last_sync"],
            "mailboxes": boxes["boxes"], "errors": errors, "reconnect": reconnect}  # fmt: skip
