"""A folder's new mail in batches, fetched ahead of the storing. Pure of the database.

A batch holds up to BATCH_MESSAGES mails or BATCH_BYTES of them; larger mail goes alone,
read by its outline so one huge attachment never sits in memory. One thread fetches the
next batches over the pass's one connection while the caller stores the last one.
"""

import contextlib
import itertools
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from inbox.mailstore import MailServerError

BATCH_MESSAGES = 250
BATCH_BYTES = 8 * 1024 * 1024
LARGE_MAIL_BYTES = 4 * 1024 * 1024


def prefetched(fetch, batches, ahead: int = 1):
    """Yield (batch, what `fetch` gave), fetching up to `ahead` batches while the caller
    stores this one: the connection is used by one thread at a time, and the link never
    waits for the database (nor the database for the link). When a fetch fails, or the
    caller stops, the batches not yet fetched are dropped, not fetched on a dead link."""
    batches, failed = iter(batches), threading.Event()

    def fetch_unless_failed(batch):  # on the fetch thread, one batch after another
        if failed.is_set():
            raise MailServerError(
                "not fetched: an earlier fetch of this pass failed", retryable=True
            )
        try:
            return fetch(batch)
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="imap-fetch") as pool:
        pending = deque()
        try:
            for batch in itertools.islice(batches, ahead):
                pending.append((batch, pool.submit(fetch_unless_failed, batch)))
            while pending:
                batch, future = pending.popleft()
                fetched = future.result()
                following = next(batches, None)
                if following is not None:
                    pending.append((following, pool.submit(fetch_unless_failed, following)))
                yield batch, fetched
        except BaseException:
            failed.set()
            for _, waiting in pending:
                waiting.cancel()
            for _, waiting in pending:
                with contextlib.suppress(BaseException):
                    waiting.result()
            raise


def batches_of(uids: list[int], sizes: dict[int, int]):
    batch, total = [], 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if size > LARGE_MAIL_BYTES:  # alone, by its outline
            if batch:
                yield batch
            yield [uid]
            batch, total = [], 0
            continue
        if batch and (len(batch) >= BATCH_MESSAGES or total + size > BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch
