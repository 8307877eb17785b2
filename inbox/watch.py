"""Keep the desk in step with the mailbox: IMAP IDLE on every synced folder, one sync pass
whenever any of them reports a change (and at least every `full_every` seconds)."""

import logging
import threading
import time

from inbox.imap import connect
from inbox.mailstore import MailServerError
from inbox.models import Folder, Mailbox
from inbox.sync import SYNCED_ROLES

log = logging.getLogger(__name__)

IDLE_SECONDS = 25  # well under the 29 minutes servers allow, so a dead link shows early


def _idle_loop(mailbox: Mailbox, folder: str, changed: threading.Event, stop: threading.Event):
    while not stop.is_set():
        try:
            with connect(mailbox) as conn:
                while not stop.is_set():
                    if conn.idle(folder, IDLE_SECONDS):
                        changed.set()
        except MailServerError as exc:
            log.warning("IDLE on %s/%s lost: %s", mailbox.name, folder, exc)
            changed.set()  # a pass will say what is wrong, and retry
            stop.wait(5)


def watch(mailboxes: list[Mailbox], run_pass, *, stop: threading.Event, full_every: float = 300):
    changed = threading.Event()
    run_pass()
    threads = []
    for mailbox in mailboxes:
        for folder in Folder.objects.filter(mailbox=mailbox, role__in=SYNCED_ROLES):
            thread = threading.Thread(
                target=_idle_loop, args=(mailbox, folder.name, changed, stop), daemon=True
            )
            thread.start()
            threads.append(thread)
    last = time.monotonic()
    while not stop.is_set():
        if changed.wait(timeout=1.0) or time.monotonic() - last > full_every:
            changed.clear()
            run_pass()
            last = time.monotonic()
    return threads
