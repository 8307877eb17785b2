"""Keep the desk in step with the mailbox: IMAP IDLE on every synced folder, one sync pass
whenever any of them reports a change (and at least every `full_every` seconds).

IDLE reports only what happens while the server is listening. Mail that arrives while a
watcher connects, or between two IDLE commands on one link, is caught by the folder's status:
a pass runs once IDLE is up on a new link, and whenever the status read just before an IDLE
differs from the one before it."""

import logging
import threading
import time
from collections.abc import Callable

from inbox.imap import connect
from inbox.mailstore import MailServerError
from inbox.models import Folder, Mailbox
from inbox.sync import SYNCED_ROLES

log = logging.getLogger(__name__)

IDLE_SECONDS = 25  # well under the 29 minutes servers allow, so a dead link shows early


def _idle_loop(
    mailbox: Mailbox,
    folder: str,
    changed: threading.Event,
    stop: threading.Event,
    listening: Callable[..., None],
):
    pause = 5.0
    while not stop.is_set():
        try:
            with connect(mailbox) as conn:
                seen = None

                def started(status):
                    nonlocal seen
                    if status != seen:  # a new link, or the folder moved on between IDLEs
                        changed.set()
                    if seen is None:
                        listening(mailbox.name, folder, True)
                    seen = status

                pause = 5.0
                while not stop.is_set():
                    if conn.idle(folder, IDLE_SECONDS, started):
                        changed.set()
                    listening(mailbox.name, folder, True, again=True)
        except MailServerError as exc:
            log.warning("IDLE on %s/%s lost: %s", mailbox.name, folder, exc)
            listening(mailbox.name, folder, False)
            changed.set()  # a pass will say what is wrong, and retry
            stop.wait(pause)
            # A refused login does not mend itself in seconds: wait longer each time (up to
            # 5 minutes), so a mailbox that needs a person does not keep the server (or the
            # sign-in service) busy.
            pause = 5.0 if exc.retryable else min(pause * 2, 300.0)
        except Exception:  # a database hiccup in a beat: the folder must stay watched
            log.exception("IDLE on %s/%s stopped; starting it again", mailbox.name, folder)
            changed.set()
            stop.wait(pause)


def _quiet(mailbox: str, folder: str, up: bool, *, again: bool = False) -> None:
    pass


def watch(
    mailboxes: list[Mailbox],
    run_pass,
    *,
    stop: threading.Event,
    full_every: float = 300,
    listening: Callable[..., None] = _quiet,
    still_current: Callable[[], bool] | None = None,
    check_every: float = 5,
):
    """Run a pass, then watch every synced folder until `stop`. `listening(mailbox, folder,
    up)` is told each time a folder's IDLE comes up on a new link, or its link is lost, and
    `listening(mailbox, folder, True, again=True)` after each IDLE on a link already up.
    `still_current()`, asked every `check_every` seconds, ends the watch when what is to be
    watched changed (a mailbox connected in admin whose first sync found its folders)."""
    changed = threading.Event()
    run_pass()
    threads = []
    for mailbox in mailboxes:
        for folder in Folder.objects.filter(mailbox=mailbox, role__in=SYNCED_ROLES):
            thread = threading.Thread(
                target=_idle_loop,
                args=(mailbox, folder.name, changed, stop, listening),
                daemon=True,
            )
            thread.start()
            threads.append(thread)
    last = checked = time.monotonic()
    while not stop.is_set():
        if changed.wait(timeout=1.0) or time.monotonic() - last > full_every:
            changed.clear()
            run_pass()
            last = time.monotonic()
        if still_current is not None and time.monotonic() - checked > check_every:
            checked = time.monotonic()
            if not still_current():
                break
    return threads
