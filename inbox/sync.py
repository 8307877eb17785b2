"""Sync the seller's mailbox (Inbox and Spam) into the desk.

Per folder the position lives in columns (UIDVALIDITY, last UID, HIGHESTMODSEQ, EXISTS), so a
pass fetches only what is new, over one connection, in batches, and a pass with nothing new
costs one EXAMINE per folder. Each batch is stored in one transaction together with the new
position: a pass killed at any point resumes where the last committed batch ended, and a
(folder, uid) is never stored twice.
"""

import contextlib
import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from inbox import actions
from inbox.batching import LARGE_MAIL_BYTES, batches_of, prefetched
from inbox.classify import act_on_decisions, active_ruleset, classify_pending, owner_drafted
from inbox.imap import connect
from inbox.mailstore import FolderMissing, MailServerError
from inbox.models import Folder, Mailbox, Message
from inbox.parsepool import ParsePool, facts_of
from inbox.parsing import parse_outline
from inbox.search import HistoryIndexer, history_unindexed
from inbox.store import store_batch

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
RENEW_AFTER = timedelta(seconds=30)
TEXT_LIMIT = 1024 * 1024
SYNCED_ROLES = (Folder.Role.INBOX, Folder.Role.SPAM)


@dataclass
class FolderReport:
    name: str
    new: int = 0
    changed: int = 0
    removed: int = 0
    failed: int = 0  # could not be parsed: stored raw with the reason
    relinked: int = 0


@dataclass
class SyncReport:
    mailbox: str
    folders: list[FolderReport] = field(default_factory=list)
    skipped: bool = False
    classified: dict[str, int] = field(default_factory=dict)
    # Seconds spent in each phase of the pass: fetch (fetch, parse, store, and with each
    # batch its search entries and what its decisions call for), classify and act (mail
    # stored without a decision, or not acted on), server (carry out server actions).
    timings: dict[str, float] = field(default_factory=dict)
    # History went in this pass and some of it is not in the search index yet: the worker
    # was asked to add it.
    history_to_index: bool = False


Progress = Callable[[str, int, int], None]


def mailbox_from_settings() -> Mailbox | None:
    """The default mailbox, kept in step with IMAP_URL. None when IMAP_URL is unset."""
    if not settings.IMAP_URL:
        return None
    url = urlsplit(settings.IMAP_URL)
    use_ssl = url.scheme == "imaps"
    defaults = {
        "host": url.hostname,
        "port": url.port or (993 if use_ssl else 143),
        "use_ssl": use_ssl,
        "username": unquote(url.username or ""),
        "oauth_provider": settings.IMAP_OAUTH,
    }
    mailbox, created = Mailbox.objects.get_or_create(
        name=Mailbox.DEFAULT_NAME, defaults={**defaults, "password": unquote(url.password or "")}
    )
    password = unquote(url.password or "")
    changed = {k: v for k, v in defaults.items() if getattr(mailbox, k) != v}
    if not created and (changed or mailbox.password != password):
        for key, value in changed.items():
            setattr(mailbox, key, value)
        mailbox.password = password
        mailbox.save()
    return mailbox


def _holder() -> str:
    """This process as a lease token begins: its host (hashed) and its pid, 16 characters."""
    host = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
    return f"{host}{os.getpid():08x}"


def _holder_gone(token: str) -> bool:
    """Whether the lease's holder was a process of this host that is no longer running (a
    watcher or worker killed mid-pass): its lease need not run out before the next pass.
    A holder elsewhere, or one still running, keeps it."""
    me = _holder()
    if len(token) != 32 or token[:8] != me[:8] or token[8:16] == me[8:]:
        return False
    try:
        os.kill(int(token[8:16], 16), 0)
    except ProcessLookupError:
        return True
    except (ValueError, OverflowError, OSError):
        return False
    return False


def _claim(mailbox: Mailbox) -> str | None:
    token, now = _holder() + uuid.uuid4().hex[:16], timezone.now()
    mine = {"sync_lease_until": now + LEASE, "sync_lease_token": token}
    box = Mailbox.objects.filter(pk=mailbox.pk)
    free = Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now)
    if box.filter(free).update(**mine) == 1:
        return token
    held = box.values_list("sync_lease_token", flat=True).first() or ""
    if held and _holder_gone(held):
        # Taken over with a conditional UPDATE on the dead holder's token: once, by one.
        log.warning("The last sync of %s was stopped part-way: going on from it", mailbox)
        if box.filter(sync_lease_token=held).update(**mine) == 1:
            return token
    return None


@dataclass
class _Lease:
    """A pass's hold on its mailbox: the token it claimed with, and when (by this process's
    clock) it last wrote its lease."""

    token: str
    written: float = field(default_factory=time.monotonic)


def _renew(mailbox: Mailbox, lease: _Lease) -> None:
    """The lease held for LEASE again once RENEW_AFTER has passed since it was written: a
    pass calls this after each batch, and a first sync's hundreds of batches do not each
    cost a statement."""
    if time.monotonic() - lease.written < RENEW_AFTER.total_seconds():
        return
    Mailbox.objects.filter(pk=mailbox.pk, sync_lease_token=lease.token).update(
        sync_lease_until=timezone.now() + LEASE
    )
    lease.written = time.monotonic()


def _release(mailbox: Mailbox, token: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk, sync_lease_token=token).update(
        sync_lease_until=None, sync_lease_token=""
    )


def mailbox_sync(*, mailbox: Mailbox, progress: Progress | None = None) -> SyncReport:
    """One pass over the mailbox's Inbox and Spam. Raises MailServerError on failure,
    after recording it on the mailbox; nothing half-written stays behind."""
    report = SyncReport(mailbox=mailbox.name)
    token = _claim(mailbox)
    if token is None:
        report.skipped = True
        return report
    lease = _Lease(token)  # written just now, by the claim
    try:
        mailbox.refresh_from_db()
        with connect(mailbox) as conn:
            names = conn.folder_names(
                spam_override=mailbox.spam_folder, trash_override=mailbox.trash_folder
            )
            folders = _ensure_folders(mailbox, names)
            actions.perform_due(conn=conn, mailbox=mailbox)
            history = mailbox.history_imported_at is None
            # New mail is decided as it is stored: the rules see it while it is in memory,
            # and the decision is written in the same insert.
            ruleset = active_ruleset()
            with (
                _timed(report, "fetch"),
                ParsePool(
                    ruleset, workers=_parse_workers(), drafted=owner_drafted(ruleset)
                ) as parser,
                HistoryIndexer() as indexer,
            ):
                for role in SYNCED_ROLES:
                    if role in folders:
                        folder_report = _sync_folder(
                            conn, folders[role], mailbox, lease, history, progress, report,
                            ruleset, parser, indexer if history else None,
                        )  # fmt: skip
                        report.folders.append(folder_report)
            # The rules run right after the mail is in, and what they decided to do on the
            # server is done over this same connection.
            with _timed(report, "classify"):  # anything stored without a decision
                classify_pending(mailbox=mailbox, ruleset=ruleset)
            with _timed(report, "act"):
                act_on_decisions(mailbox=mailbox)
            with _timed(report, "server"):
                actions.perform_due(conn=conn, mailbox=mailbox)
    except MailServerError as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error=str(exc), last_error_at=timezone.now()
        )
        raise
    finally:
        _release(mailbox, token)
    now = timezone.now()
    fields = {"last_sync_at": now, "last_error": ""}
    if mailbox.history_imported_at is None:
        fields["history_imported_at"] = now
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    if any(f.new for f in report.folders) and mailbox.history_indexed_at is None:
        if history_unindexed(mailbox.pk):
            # Some history is not in the search index (stored by an earlier version of
            # the desk, which left it to the worker): the worker adds it.
            report.history_to_index = True
            transaction.on_commit(
                lambda: async_task("inbox.tasks.index_history_mail", group="search")
            )
        else:  # each batch went into the index with it
            Mailbox.objects.filter(pk=mailbox.pk, history_indexed_at__isnull=True).update(
                history_indexed_at=now
            )
    return report


def _parse_workers() -> int | None:
    return None if settings.MAIL_PARSE_WORKERS < 0 else settings.MAIL_PARSE_WORKERS


@contextlib.contextmanager
def _timed(report: SyncReport, phase: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        report.timings[phase] = time.perf_counter() - started


def _ensure_folders(mailbox: Mailbox, names: dict) -> dict:
    folders = {f.role: f for f in mailbox.folders.all()}
    for role, name in names.items():
        if name is None:
            if role == Folder.Role.TRASH:
                raise FolderMissing(
                    "The mailbox has no Trash folder (no \\Trash flag and no common name): "
                    "set one on the mailbox in admin."
                )
            continue
        folder = folders.get(role)
        if folder is None:
            folders[role] = Folder.objects.create(mailbox=mailbox, role=role, name=name)
        elif folder.name != name:
            # Renamed on the server: a new folder as far as UIDs go.
            folder.name, folder.uidvalidity, folder.last_uid = name, None, 0
            folder.highest_modseq = None
            folder.save()
    return folders


def _sync_folder(
    conn, folder, mailbox, lease, history, progress, report, ruleset, parser, indexer
) -> FolderReport:
    result = FolderReport(folder.name)
    status = conn.examine(folder.name)
    if folder.uidvalidity is not None and status.uidvalidity != folder.uidvalidity:
        # The server renumbered the folder: every row is relocated by its content below.
        log.warning("UIDVALIDITY of %s changed: resyncing", folder)
        folder.messages.filter(uid__isnull=False).update(uid=None)
        folder.last_uid, folder.highest_modseq = 0, None
    folder.uidvalidity = status.uidvalidity
    previous_modseq = folder.highest_modseq

    uids = []
    if status.uidnext is None or status.uidnext > folder.last_uid + 1:
        uids = conn.uids_after(folder.last_uid)
    if status.exists != folder.messages.filter(uid__isnull=False).count() + len(uids):
        # Mail left the folder: marked before the new mail is stored, so a mail moved away
        # and back (a new UID in the same folder) is found by its content, not stored twice.
        result.removed += _mark_removed(conn, folder)
    if uids:
        parser.expect(len(uids))  # workers start while the sizes are asked for
        if indexer is not None:
            indexer.expect(len(uids))
        sizes = conn.sizes(uids)
        done = 0

        def fetch(batch):
            # Fetched and parsed on the prefetch thread while the last batch is stored.
            if len(batch) == 1 and sizes.get(batch[0], 0) > LARGE_MAIL_BYTES:
                keep = min(settings.ATTACHMENT_MAX_BYTES, LARGE_MAIL_BYTES)
                mail = conn.fetch_outline(batch[0], text_limit=TEXT_LIMIT, keep_limit=keep)
                mime = parse_outline(mail.raw, mail.parts, size=mail.size)
                rule = ruleset.first_match(facts_of(mime, folder.role))
                return lambda: [(mail, mime, rule.key if rule else None, None)]
            fetched = conn.fetch(batch)
            reading = parser.submit(
                [m.raw for m in fetched], settings.ATTACHMENT_MAX_BYTES, folder.role
            )
            return lambda: [(mail, *read) for mail, read in zip(fetched, reading(), strict=True)]

        for batch, parsed in prefetched(fetch, batches_of(uids, sizes)):
            new_ids, relinked, unparsable = store_batch(
                folder, parsed(), history, max(batch), ruleset, report.classified, indexer
            )
            result.new += len(new_ids)
            result.failed += unparsable
            result.relinked += relinked
            done += len(batch)
            _renew(mailbox, lease)
            if progress:
                progress(folder.name, done, len(uids))

    # Everything on the server has been fetched: rows a UIDVALIDITY resync could not
    # relocate by their content are no longer there.
    result.removed += folder.messages.filter(uid__isnull=True, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    located = folder.messages.filter(uid__isnull=False)
    if previous_modseq is not None and status.highest_modseq != previous_modseq:
        result.changed = _apply_flags(conn, folder, previous_modseq)
    if status.exists != located.count():
        result.removed += _mark_removed(conn, folder)

    folder.highest_modseq = status.highest_modseq
    folder.uidnext = status.uidnext
    folder.exists = status.exists
    folder.last_synced_at = timezone.now()
    folder.save()
    return result


def _apply_flags(conn, folder, since_modseq) -> int:
    known = list(folder.messages.filter(uid__isnull=False).values_list("uid", flat=True))
    changed = conn.flags_changed_since(since_modseq, known)
    if not changed:
        return 0
    count = 0
    rows = folder.messages.filter(uid__in=list(changed)).only("id", "uid", "is_seen", "flags")
    for row in rows:
        flags = changed[row.uid]
        seen, text = "\\Seen" in flags, " ".join(flags)[:500]
        if row.is_seen != seen or row.flags != text:
            Message.objects.filter(pk=row.pk).update(is_seen=seen, flags=text)
            count += 1
    return count


def _mark_removed(conn, folder) -> int:
    """Mail no longer on the server: someone else moved or deleted it. Kept, marked."""
    on_server = conn.all_uids()
    located = folder.messages.filter(uid__isnull=False)
    gone = [uid for uid in located.values_list("uid", flat=True) if uid not in on_server]
    return located.filter(uid__in=gone).update(uid=None, removed_at=timezone.now())
