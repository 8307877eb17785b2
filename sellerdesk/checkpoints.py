"""SQLite's write-ahead log copied back into the database file beside a long import, not in
its way.

In WAL mode, a commit that finds the log past 1,000 pages (4 MB) copies it into the database
file (a checkpoint) and syncs both before it returns. A first sync commits dozens of batches
of several megabytes each, and each of those commits waited for a checkpoint: about a
second of a 10,000-mail sync. Inside `checkpoints_beside()` a thread with a connection of
its own checkpoints as the log grows: the same copies and the same syncs, while the import
goes on, and once the log is 64 MB long it holds the next commit back until the rest is
copied, which starts the log over: the log grows past SQLite's usual 4 MB, not with the
whole import. Durability is unchanged (a commit is in the log either
way). On PostgreSQL, or an SQLite database not in a file, it
does nothing.
"""

import contextlib
import logging
import sqlite3
import threading

from django.db import DatabaseError
from django.db import connection as default_connection

log = logging.getLogger(__name__)

AUTOCHECKPOINT = 1000  # SQLite's default, restored afterwards
EVERY = 0.2  # seconds between the thread's checkpoints
# The log starts over from its beginning only when a writer finds it all copied back, which
# a writer committing batch after batch seldom does while the thread copies: past this many
# pages (64 MB) the thread's checkpoint waits for the writer's transaction to end, holds
# the next one back until the rest is copied, and starts the log over.
RESTART_AT = 16384


@contextlib.contextmanager
def checkpoints_beside(
    *, connection=default_connection, every: float = EVERY, restart_at: int = RESTART_AT
):
    """While the block runs, `connection`'s commits leave the log to a checkpoint thread
    until it is `restart_at` pages long."""
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_checkpoint_until,
        args=(str(connection.settings_dict["NAME"]), stop, every, restart_at),
        name="sqlite-checkpoints", daemon=True,
    )  # fmt: skip
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        thread.start()
        yield
    finally:
        stop.set()
        if thread.ident is not None:
            thread.join()
        try:
            if connection.connection is not None:  # still open: back to checkpointing itself
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}")
        except DatabaseError as exc:  # the block's own outcome is what matters
            log.warning("Could not turn the connection's own checkpoints back on: %s", exc)


def _checkpoint_until(path: str, stop: threading.Event, every: float, restart_at: int) -> None:
    """PASSIVE checkpoints (they never wait for, nor block, the writer or any reader) until
    `stop`, the last one after it; a RESTART when the log is past `restart_at` pages."""
    try:
        database = sqlite3.connect(path, timeout=5, isolation_level=None)
    except sqlite3.Error as exc:
        log.warning("No checkpoint thread (%s): the log is copied back by the next commit", exc)
        return
    try:
        while True:
            stopping = stop.wait(every)
            try:
                _busy, pages, _copied = database.execute(
                    "PRAGMA wal_checkpoint(PASSIVE)"
                ).fetchone()
                if pages > restart_at:
                    database.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
            except sqlite3.Error as exc:  # busy or locked: the next round, or the next commit
                log.debug("checkpoint skipped: %s", exc)
            if stopping:
                return
    finally:
        database.close()
