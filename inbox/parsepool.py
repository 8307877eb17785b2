"""Reading fetched mail (parsing it, finding the first mail rule that matches it, and for
mail going to the owner drafting the escalation's summary) on the other cores while this
process stores the last batch.

MIME parsing is pure Python and holds the GIL: on a first sync of thousands of mails it is
the largest cost after the network. A pass that has many mails to read starts worker
processes (`default_workers()`: one per core but one, two on two cores) from a fork server,
started clean with only inbox.parsing imported: no thread, lock or database connection of
this process is copied into them.

Small passes, one-core machines and processes that may not have children (a daemonic
worker) read right here; a worker that dies takes its batch back here too. Either way the
result is the same list of (ParsedMail, the matching rule's key or None, the draft or
None), in order. The workers compile the pass's rules once, when they start.
"""

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import repeat

from escalations.summaries import Draft, mail_draft
from inbox.parsing import ParsedMail, parse_mail
from inbox.rules import BODY_LIMIT, MailFacts, Rule, RuleSet

log = logging.getLogger(__name__)

POOL_FROM = 500  # mails in one folder's pass before workers are worth starting
BATCH_FROM = 16  # fewer mails than this in a batch are parsed here


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def default_workers() -> int:
    """One per core but one, and two where there are two cores: parsing is the longer
    side of the pipeline, and two workers keep the storing process fed."""
    return 0 if cores() < 2 else max(2, cores() - 1)


# The mail, its first matching rule's key (or None), and for mail going to the owner the
# escalation's summary and details, drafted here (None: not drafted).
Read = tuple[ParsedMail, object, Draft | None]


def facts_of(mail: ParsedMail, role: str) -> MailFacts:
    """What the rules look at in a parsed mail, in a folder of `role`."""
    return MailFacts(role, mail.from_address, mail.from_name, mail.subject,
                     mail.text[:BODY_LIMIT], mail.headers)  # fmt: skip


def read(
    raw: bytes, max_attachment_bytes: int, role: str, rules: RuleSet, drafted=frozenset()
) -> Read:
    """The mail parsed, the key of the first of `rules` that matches it in a folder of
    `role` (None: no rule matches), and the owner's draft (`mail_draft`) when that key is
    one of `drafted`."""
    mail = parse_mail(raw, max_attachment_bytes=max_attachment_bytes)
    rule = rules.first_match(facts_of(mail, role))
    key = rule.key if rule else None
    return mail, key, (mail_draft(mail) if key in drafted else None)


_rules: RuleSet | None = None  # a worker's copy of the pass's rules
_drafted: frozenset = frozenset()


def _load_rules(rules: list[Rule], drafted: frozenset) -> None:
    global _rules, _drafted
    _rules, _drafted = RuleSet(rules, skip_broken=True), drafted


def _read(raw: bytes, max_attachment_bytes: int, role: str) -> Read:
    return read(raw, max_attachment_bytes, role, _rules, _drafted)


class ParsePool:
    """`read(raws, max_attachment_bytes, role)`: `read()` of each, in order, against
    `rules`, drafting for the mail whose rule key is one of `drafted`. Workers start on the
    first `expect(n)` with enough mail; `close()` stops them (a `with` block does)."""

    def __init__(
        self, rules: RuleSet, *, workers: int | None = None, pool_from: int = POOL_FROM,
        drafted=frozenset(),
    ):  # fmt: skip
        self.rules = rules
        self.drafted = frozenset(drafted)
        self.workers = default_workers() if workers is None else workers
        self.pool_from = pool_from
        self._pool: ProcessPoolExecutor | None = None
        self._closing = threading.Lock()

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def expect(self, count: int) -> None:
        """`count` mails are about to be parsed: start the workers if that is worth it."""
        if self._pool is not None or count < self.pool_from or self.workers < 1:
            return
        if multiprocessing.current_process().daemon:
            return  # not allowed children: parse here
        try:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["inbox.parsing"])
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=context, initializer=_load_rules,
                initargs=([compiled.rule for compiled in self.rules.compiled], self.drafted),
            )  # fmt: skip
            for _ in range(self.workers):  # start them now, while the first batch is fetched
                self._pool.submit(cores)
        except (OSError, ValueError) as exc:
            log.warning("Parsing without worker processes: %s", exc)
            self._pool = None

    @property
    def running(self) -> bool:
        return self._pool is not None

    def read(self, raws: list[bytes], max_attachment_bytes: int, role: str) -> list[Read]:
        return self.submit(raws, max_attachment_bytes, role)()

    def submit(
        self, raws: list[bytes], max_attachment_bytes: int, role: str
    ) -> Callable[[], list[Read]]:
        """Start reading `raws` on the workers and return at once; calling the result waits
        for them. Without workers the mail is read before this returns."""
        pool = self._pool  # read once: another thread may close it meanwhile
        if pool is None or len(raws) < BATCH_FROM:
            done = [self._read_here(raw, max_attachment_bytes, role) for raw in raws]
            return lambda: done
        chunk = max(1, len(raws) // (4 * self.workers))
        try:
            results = pool.map(
                _read, raws, repeat(max_attachment_bytes), repeat(role), chunksize=chunk
            )
        except (BrokenProcessPool, RuntimeError):  # stopped, or a worker died before
            self.close()
            return self.submit(raws, max_attachment_bytes, role)

        def wait() -> list[Read]:
            try:
                return list(results)
            except BrokenProcessPool:  # a worker died (out of memory, killed): go on here
                log.warning("A mail parsing worker stopped: reading mail here from now on")
                self.close()
                return [self._read_here(raw, max_attachment_bytes, role) for raw in raws]

        return wait

    def _read_here(self, raw: bytes, max_attachment_bytes: int, role: str) -> Read:
        return read(raw, max_attachment_bytes, role, self.rules, self.drafted)

    def close(self) -> None:
        """Stop the workers, once, whichever thread asks first (the fetch thread submits,
        the storing thread waits, and either may find a worker dead)."""
        with self._closing:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
