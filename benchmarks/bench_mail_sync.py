"""Issues 3, 19 and 30: the first full sync of 10,000 realistic mails (benchmarks/mailgen.py)
through a link with 10 ms round trips, timed as the user waits for it.

The desk is timed from the start of `manage.py sync_mail`, run as its own process, until
every mail is stored, decided and findable by search: the command (connecting, fetching,
parsing, storing, deciding, queueing what the decisions call for, indexing the history,
moving the notices to Trash) and then the worker's pass for any history the command left
out of the search index (it checks none is left).

The baseline is the best bare batched fetch over the same link: `FETCH BODY.PEEK[]` of every
mail with no processing at all, in batches of 250, 500 and 1,000 and one fetch per folder,
the fastest counting, over a client set up as the desk's (`inbox.imap.unlogged_protocol`:
imaplib does not format each answer for a log that is off). Every mailbox is read once
before anything is timed, so both sides read it warm; the rounds alternate which side goes
first, on three mailboxes of the same make (each from its own seed), and the best of each
side counts. The bare fetch reads Inbox, Spam and Trash, so it reads the same 10,000 mails
before and after the desk moved the notices to Trash. The other baseline is the way common
helpdesks import: one `FETCH RFC822` command per message. Peak memory counts the sync's
parse workers.
"""

import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection
from imapclient import IMAPClient

from benchmarks import Figure, gather_statistics
from benchmarks.mailgen import big_attachment_mail, make_mail
from inbox.imap import unlogged_protocol
from inbox.models import MailAction, Mailbox, Message
from inbox.search import history_unindexed
from inbox.sync import mailbox_sync
from inbox.tasks import index_history_mail
from sellerdesk.devservers.dovecot import DovecotServer
from sellerdesk.devservers.tcpproxy import TcpProxy

ROOT = Path(__file__).resolve().parent.parent
INBOX_COUNT, SPAM_COUNT = 8000, 2000
ONE_BY_ONE_SAMPLE = 300  # per-message cost of the helpdesk way, measured on this many
LATENCY = 0.005  # each way: 10 ms round trip
ROUNDS = 3  # mailboxes, each synced once, alternating which side goes first


def _seed(server: DovecotServer, user: str, *, big: bool = False, seed: int = 42) -> None:
    """The mailbox's 10,000 mails (and the 30 MB one for `big`)."""
    rng = random.Random(seed)
    with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
        client.login(user, server.password)
        for folder, count, offset in (("INBOX", INBOX_COUNT, 0), ("Spam", SPAM_COUNT, INBOX_COUNT)):
            mails = [make_mail(rng, offset + i) for i in range(count)]
            for start in range(0, count, 500):
                client.multiappend(folder, mails[start : start + 500])
        if big:
            client.append("INBOX", big_attachment_mail(30 * 1024 * 1024))


def _client(port: int, server: DovecotServer, user: str) -> IMAPClient:
    client = unlogged_protocol(IMAPClient("127.0.0.1", port=port, ssl=False, timeout=60))
    client.login(user, server.password)
    return client


def _one_by_one(port, server, user) -> float:
    """Seconds per message, fetching RFC822 one message per command."""
    with _client(port, server, user) as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search()[:ONE_BY_ONE_SAMPLE]
        started = time.perf_counter()
        for uid in uids:
            client.fetch([uid], ["RFC822"])
        return (time.perf_counter() - started) / len(uids)


BATCHES = (250, 500, 1000, None)  # None: one FETCH per folder


def _bare_batched(port, server, user, batch: int | None) -> float:
    """Seconds to fetch every message of the mailbox, `batch` per command, doing nothing with
    them (Inbox, Spam and Trash: the same mail before and after the desk's moves)."""
    started = time.perf_counter()
    fetched = 0
    with _client(port, server, user) as client:
        for folder in ("INBOX", "Spam", "Trash"):
            if not client.folder_exists(folder):
                continue
            client.select_folder(folder, readonly=True)
            uids = client.search()
            size = batch or len(uids) or 1
            for start in range(0, len(uids), size):
                fetched += len(client.fetch(uids[start : start + size], ["BODY.PEEK[]"]))
    assert fetched == INBOX_COUNT + SPAM_COUNT, fetched
    return time.perf_counter() - started


def _best_bare(port, server, user) -> tuple[float, int | None]:
    """The fastest batch size's time, and the size."""
    return min((_bare_batched(port, server, user, batch), batch) for batch in BATCHES)


def _desk_mailbox(name, port, server, user) -> Mailbox:
    return Mailbox.objects.create(
        name=name, host="127.0.0.1", port=port, use_ssl=False, username=user,
        password=server.password,
    )  # fmt: skip


def _database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{config['NAME']}"
    else:
        database_url = (
            f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"
        )
    return database_url


def _first_sync(name: str) -> tuple[float, float]:
    """Seconds from the start of `manage.py sync_mail --mailbox NAME` until its mail is
    findable by search: (the command, the worker's indexing pass after it, for what the
    command left out)."""
    env = {k: v for k, v in os.environ.items() if k != "IMAP_URL"}
    env["DATABASE_URL"] = _database_url()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "sync_mail", "--mailbox", name],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        timeout=900,
    )  # fmt: skip
    command = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    started = time.perf_counter()
    index_history_mail()  # what the command left for the worker, if anything
    indexing = time.perf_counter() - started
    mailbox = Mailbox.objects.get(name=name)
    assert mailbox.history_indexed_at is not None
    assert not history_unindexed(mailbox.pk)
    return command, indexing


def _check_first_sync(mailbox: Mailbox) -> None:
    """Every mail stored, and every notice's move to Trash done and recorded."""
    stored = Message.objects.filter(mailbox=mailbox).count()
    assert stored == INBOX_COUNT + SPAM_COUNT, stored
    trashed = Message.objects.filter(mailbox=mailbox, kind="trash")
    moved = MailAction.objects.filter(message__in=trashed, state=MailAction.State.DONE)
    assert moved.count() == trashed.count() > 0, (moved.count(), trashed.count())


def _peak_memory_mb(server: DovecotServer, user: str) -> float:
    """Peak resident memory of `manage.py sync_mail` run as its own process."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "IMAP_URL": server.url(user)}
    Mailbox.objects.filter(name=Mailbox.DEFAULT_NAME).delete()
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.peak_memory", "sync_mail", "--mailbox", "default"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    peak_kb = int(result.stdout.split("PEAK_KB")[1].split()[0])
    return peak_kb / 1024


def run() -> list[Figure]:
    server = DovecotServer().start()
    try:
        users = [f"bench{i}-{uuid.uuid4().hex[:6]}" for i in range(ROUNDS)]
        big_user = f"big-{uuid.uuid4().hex[:6]}"
        for i, user in enumerate(users):
            _seed(server, user, seed=42 + i)
        bare, desk = [], []
        with TcpProxy(server.port, latency=LATENCY) as proxy:
            per_message = _one_by_one(proxy.port, server, users[0])
            for user in users:  # every mailbox read once: both sides then read it warm
                _bare_batched(proxy.port, server, user, 1000)
            for i, user in enumerate(users):
                mailbox = _desk_mailbox(f"bench{i}", proxy.port, server, user)
                if i % 2:
                    desk.append(_first_sync(mailbox.name))
                    bare.append(_best_bare(proxy.port, server, user))
                else:
                    bare.append(_best_bare(proxy.port, server, user))
                    desk.append(_first_sync(mailbox.name))
                _check_first_sync(mailbox)
            gather_statistics()

            # The next pass reconciles the desk's own moves to Trash; the one after it has
            # nothing new at all.
            mailbox = Mailbox.objects.get(name="bench0")
            mailbox_sync(mailbox=mailbox)
            proxy.commands = 0
            mailbox_sync(mailbox=mailbox)
            commands_big = proxy.commands

        small_user = f"small-{uuid.uuid4().hex[:6]}"
        with IMAPClient("127.0.0.1", port=server.port, ssl=False) as client:
            client.login(small_user, server.password)
            for i in range(10):
                client.append("INBOX" if i % 2 else "Spam", make_mail(random.Random(i), i))
        with TcpProxy(server.port) as proxy:
            small = _desk_mailbox("small", proxy.port, server, small_user)
            mailbox_sync(mailbox=small)
            mailbox_sync(mailbox=small)
            proxy.commands = 0
            mailbox_sync(mailbox=small)
            commands_small = proxy.commands

        Message.objects.all().delete()
        peak_plain = _peak_memory_mb(server, users[0])
        Message.objects.all().delete()
        _seed(server, big_user, big=True)
        peak_big = _peak_memory_mb(server, big_user)
    finally:
        server.cleanup()

    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    best_bare, best_batch = min(bare)
    command, indexing = min(desk, key=sum)
    whole = command + indexing
    helpdesk = per_message * (INBOX_COUNT + SPAM_COUNT)
    batch = f"{best_batch} a fetch" if best_batch else "a folder a fetch"
    return [
        Figure(f"first sync until searchable ({engine}): x bare", round(whole / best_bare, 2),
               "<= 4", whole / best_bare <= 4),
        Figure(f"first sync until searchable ({engine}): x 1 by 1", round(helpdesk / whole, 1),
               ">= 12", helpdesk / whole >= 12),
        Figure(f"  (s: command {command:.1f} + index {indexing:.1f}, bare {best_bare:.1f})",
               batch, "info", True),
        Figure("  (every round, desk s / bare s)",
               " ".join(f"{sum(d):.1f}/{b[0]:.1f}" for d, b in zip(desk, bare, strict=True)),
               "info", True),
        Figure("idle sync: IMAP commands, 10,000 mails", commands_big,
               f"= {commands_small} (10 mails)", commands_big == commands_small),
        Figure(f"first sync: peak memory MB ({engine})", round(peak_plain), "< 200",
               peak_plain < 200),
        Figure("first sync with a 30 MB attachment: peak MB", round(peak_big), "< 200",
               peak_big < 200),
    ]  # fmt: skip
