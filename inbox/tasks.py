"""Worker tasks for the mailbox: thin doors into the services."""

import logging

from inbox import actions
from inbox.imap import MailServerError
from inbox.models import Mailbox
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
    return summary


def perform_action(action_id: int) -> bool:
    return actions.perform_one(action_id=action_id)
