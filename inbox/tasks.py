"""Worker tasks for the mailbox: thin doors into the services."""

import logging
from datetime import timedelta

from django.utils import timezone

from inbox import actions
from inbox.imap import MailServerError
from inbox.models import Mailbox
from inbox.search import history_unindexed, index_history
from inbox.sync import mailbox_from_settings, mailbox_sync

log = logging.getLogger(__name__)


def sync_all_mailboxes() -> dict:
    """One pass over every active mailbox; a failing mailbox does not stop the others."""
    mailbox_from_settings()
    summary = {}
    for mailbox in Mailbox.objects.filter(is_active=True):
        try:
            report = mailbox_sync(mailbox=mailbox)
        except MailServerError as exc:
            summary[mailbox.name] = f"failed: {exc}"
            continue
        summary[mailbox.name] = "busy" if report.skipped else "ok"
    # History whose indexing the sync queued a while ago and is still not in (the task was
    # lost, or stopped part-way): indexed here. Not a first sync still running, nor one
    # whose queued task has just started.
    stale = timezone.now() - timedelta(minutes=10)
    if Mailbox.objects.filter(
        history_imported_at__lt=stale, history_indexed_at__isnull=True
    ).exists():
        index_history_mail()
    return summary


def index_history_mail() -> int:
    """Put the mail that was there before the desk into the search index (the first sync
    queues this once it has stored it), then record each mailbox whose history is in."""
    indexed = index_history()
    imported = Mailbox.objects.filter(
        history_imported_at__isnull=False, history_indexed_at__isnull=True
    )
    for mailbox in imported:
        if not history_unindexed(mailbox.pk):
            Mailbox.objects.filter(pk=mailbox.pk, history_indexed_at__isnull=True).update(
                history_indexed_at=timezone.now()
            )
    return indexed


def perform_action(action_id: int) -> bool:
    return actions.perform_one(action_id=action_id)
