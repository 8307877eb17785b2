"""Mail read on worker processes (parsed, and matched against the pass's rules) is the mail
read here, in order; a worker that dies costs nothing but time, and a process that may not
have children reads by itself."""

import os
import random
import signal
from types import SimpleNamespace

import pytest

from benchmarks.mailgen import make_mail
from escalations.summaries import mail_draft
from inbox.batching import prefetched
from inbox.mailstore import MailServerError
from inbox.parsepool import ParsePool, read
from inbox.rules import Condition, Rule, RuleSet

_RNG = random.Random(5)
MAILS = [make_mail(_RNG, n) for n in range(120)]  # notices, buyers, suppliers, marketing
RULES = RuleSet([
    Rule(7, "notices", "trash", frozenset({"inbox"}),
         (Condition("subject", "starts_with", "Sold, ship now"),)),
    Rule(8, "buyers", "buyer_message", frozenset({"inbox", "spam"}),
         (Condition("sender_address", "contains", "@marketplace.amazon."),)),
])  # fmt: skip


def here(raws, role="inbox"):
    return [read(raw, 1024, role, RULES) for raw in raws]


def test_the_workers_draft_the_owners_summary_of_the_mail_whose_rule_asks_for_it():
    """Mail of the drafted rule keys (None: no rule) comes back with its escalation's
    summary and details, as drafting it here gives them; the rest without."""
    with ParsePool(RULES, workers=2, pool_from=10, drafted={None, 8}) as pool:
        pool.expect(len(MAILS))
        found = pool.read(MAILS, 1024, "inbox")
    drafted = [(mail, draft) for mail, key, draft in found if key in {None, 8}]
    assert len(drafted) > 10
    assert all(draft == mail_draft(mail) for mail, draft in drafted)
    assert all(draft[1] and draft[0] for _, draft in drafted)
    assert all(draft is None for _, key, draft in found if key == 7)
    assert found == [read(raw, 1024, "inbox", RULES, {None, 8}) for raw in MAILS]


def test_workers_give_what_reading_here_gives_in_order():
    with ParsePool(RULES, workers=2, pool_from=10) as pool:
        pool.expect(len(MAILS))
        assert pool.running
        found = pool.read(MAILS, 1024, "inbox")
    assert not pool.running
    assert found == here(MAILS)
    assert {key for _, key, _ in found} == {7, 8, None}  # the rules were matched there too
    assert found != here(MAILS, role="spam")  # the folder's role reaches the rules


def test_a_small_pass_starts_no_workers():
    with ParsePool(RULES, workers=2, pool_from=500) as pool:
        pool.expect(499)
        assert not pool.running
        assert pool.read(MAILS[:3], 1024, "inbox") == here(MAILS[:3])


def test_a_worker_killed_mid_batch_leaves_the_batch_to_this_process():
    with ParsePool(RULES, workers=1, pool_from=1) as pool:
        pool.expect(len(MAILS))
        pool.read(MAILS[:20], 1024, "inbox")  # the worker is up
        (pid,) = list(pool._pool._processes)
        many = MAILS * 20  # far longer to read than the kill takes to land
        waiting = pool.submit(many, 1024, "inbox")
        os.kill(pid, signal.SIGKILL)
        assert waiting() == here(many)
        assert not pool.running  # and the rest of the pass reads here
        assert pool.read(MAILS[:20], 1024, "inbox") == here(MAILS[:20])


def test_a_daemonic_process_reads_by_itself(monkeypatch):
    monkeypatch.setattr(
        "inbox.parsepool.multiprocessing.current_process", lambda: SimpleNamespace(daemon=True)
    )
    with ParsePool(RULES, workers=2, pool_from=1) as pool:
        pool.expect(len(MAILS))
        assert not pool.running


def test_after_a_failed_fetch_no_later_batch_is_fetched_on_the_dead_link():
    asked = []

    def fetch(batch):
        asked.append(batch)
        if batch == [1]:
            raise MailServerError("the link died", retryable=True)
        return batch

    with pytest.raises(MailServerError, match="the link died"):
        for _ in prefetched(fetch, [[1], [2], [3], [4]]):
            pass
    assert asked == [[1]]


@pytest.mark.parametrize(("count", "workers"), [(1, 0), (2, 2), (3, 2), (4, 3), (16, 15)])
def test_workers_by_default_one_per_core_but_one_and_two_on_two_cores(monkeypatch, count, workers):
    from inbox import parsepool

    monkeypatch.setattr(parsepool, "cores", lambda: count)
    assert parsepool.default_workers() == workers
    assert parsepool.ParsePool(parsepool.RuleSet([])).workers == workers
