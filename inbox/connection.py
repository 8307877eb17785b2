"""Connecting a mailbox: the mailbox page's Test connection, and what happens once the
seller has connected one with Microsoft or Google."""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django_q.tasks import async_task

from inbox.imap import connect
from inbox.mailstore import MailServerError
from inbox.models import Mailbox
from sellerdesk.smtp import MailSendError, smtp_check

# The capabilities the desk uses when the server has them, and what each buys.
CAPABILITIES = (
    ("IDLE", "new mail arrives at once (otherwise each minute)"),
    ("MOVE", "mail moves in one step (otherwise copy, then delete)"),
    ("CONDSTORE", "read/unread changes are fetched cheaply (otherwise all flags are compared)"),
)


@dataclass
class FolderLine:
    role: str
    name: str | None
    count: int | None


@dataclass
class ConnectionReport:
    mailbox: str
    problem: str = ""
    signed_in_with: str = ""
    capabilities: list[tuple[str, bool, str]] = field(default_factory=list)
    folders: list[FolderLine] = field(default_factory=list)
    smtp: str = ""
    smtp_problem: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problem and not self.smtp_problem


def test_connection(mailbox: Mailbox) -> ConnectionReport:
    """Sign in to the mailbox, read what the desk will use there, and sign in to SMTP
    without sending. Changes nothing, here or on the server."""
    started = time.monotonic()
    report = ConnectionReport(mailbox=mailbox.name)
    if mailbox.demo_file:
        report.signed_in_with = "the demo's file of sample mail (no server)"
    else:
        try:
            _imap(mailbox, report)
        except MailServerError as exc:
            report.problem = str(exc)
    try:
        report.smtp = smtp_check()
    except MailSendError as exc:
        report.smtp_problem = str(exc)
    report.seconds = time.monotonic() - started
    return report


def _imap(mailbox: Mailbox, report: ConnectionReport) -> None:
    with connect(mailbox, timeout=min(settings.IMAP_TIMEOUT, 10)) as conn:
        report.signed_in_with = conn.mechanism
        offered = {c.upper() for c in conn.capabilities}
        report.capabilities = [(name, name in offered, why) for name, why in CAPABILITIES]
        names = conn.folder_names(
            spam_override=mailbox.spam_folder, trash_override=mailbox.trash_folder
        )
        for role in ("inbox", "spam", "trash"):
            name = names.get(role)
            count = conn.examine(name).exists if name else None
            report.folders.append(FolderLine(role=role.title(), name=name, count=count))


def on_grant_connected(sender, *, provider: str, account: str, **kwargs) -> None:
    """A mailbox was connected (or reconnected) with Microsoft or Google: it signs in that
    way from now on, its old error goes, and a sync starts at once."""
    boxes = Mailbox.objects.filter(
        Q(oauth_provider=provider) | Q(oauth_provider=""), username__iexact=account
    )
    if boxes.update(oauth_provider=provider, password="", last_error="", last_error_at=None):
        transaction.on_commit(lambda: async_task("inbox.tasks.sync_all_mailboxes", group="sync"))
