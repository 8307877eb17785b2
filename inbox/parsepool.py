"""Parsing fetched mail on every core. MIME parsing is pure Python and holds the GIL: on a
first sync of thousands of mails it is the largest cost after the network, and a process
per core takes it off the thread that writes to the database.

The workers come from a fork server (started clean, before any of this process's threads
or database connections could be copied into a child) and import only inbox.parsing."""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor

from inbox.parsing import ParsedMail, parse_mail

# Fewer mails than this are parsed right here: a pool is not worth starting for them.
POOL_FROM = 64
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["inbox.parsing"])
            _pool = ProcessPoolExecutor(max_workers=_workers(), mp_context=context)
        return _pool


def _parse(raw: bytes, max_attachment_bytes: int) -> ParsedMail:
    return parse_mail(raw, max_attachment_bytes=max_attachment_bytes)


def parse_many(
    raws: list[bytes], *, max_attachment_bytes: int, pool_from: int = POOL_FROM
) -> list[ParsedMail]:
    """parse_mail() of each, in order; on every core when there are many."""
    if len(raws) < pool_from or _workers() < 2:
        return [_parse(raw, max_attachment_bytes) for raw in raws]
    limits = [max_attachment_bytes] * len(raws)
    chunk = max(1, len(raws) // (4 * _workers()))
    return list(_get_pool().map(_parse, raws, limits, chunksize=chunk))
