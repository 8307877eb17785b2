"""Mail parsed on worker processes is the mail parsed here, in order; a worker that dies
costs nothing but time, and a process that may not have children parses by itself."""

import os
import random
import signal
from types import SimpleNamespace

from benchmarks.mailgen import make_mail
from inbox.parsepool import ParsePool
from inbox.parsing import parse_mail

MAILS = [make_mail(random.Random(5), n) for n in range(120)]


def test_workers_give_what_parsing_here_gives_in_order():
    with ParsePool(workers=2, pool_from=10) as pool:
        pool.expect(len(MAILS))
        assert pool.running
        parsed = pool.parse(MAILS, 1024)
    assert not pool.running
    assert parsed == [parse_mail(raw, max_attachment_bytes=1024) for raw in MAILS]


def test_a_small_pass_starts_no_workers():
    with ParsePool(workers=2, pool_from=500) as pool:
        pool.expect(499)
        assert not pool.running
        assert pool.parse(MAILS[:3], 1024) == [parse_mail(r, max_attachment_bytes=1024)
                                               for r in MAILS[:3]]  # fmt: skip


def test_a_worker_killed_mid_batch_leaves_the_batch_to_this_process():
    with ParsePool(workers=1, pool_from=1) as pool:
        pool.expect(len(MAILS))
        pool.parse(MAILS[:20], 1024)  # the worker is up
        (pid,) = list(pool._pool._processes)
        many = MAILS * 20  # far longer to parse than the kill takes to land
        waiting = pool.submit(many, 1024)
        os.kill(pid, signal.SIGKILL)
        assert waiting() == [parse_mail(raw, max_attachment_bytes=1024) for raw in many]
        assert not pool.running  # and the rest of the pass parses here
        assert pool.parse(MAILS[:20], 1024) == [parse_mail(r, max_attachment_bytes=1024)
                                                for r in MAILS[:20]]  # fmt: skip


def test_a_daemonic_process_parses_by_itself(monkeypatch):
    monkeypatch.setattr(
        "inbox.parsepool.multiprocessing.current_process", lambda: SimpleNamespace(daemon=True)
    )
    with ParsePool(workers=2, pool_from=1) as pool:
        pool.expect(len(MAILS))
        assert not pool.running
