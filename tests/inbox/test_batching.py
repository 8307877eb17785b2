"""A folder's new mail in batches (inbox/batching.py): every UID once, in order, no batch
over its count or its bytes, large mail alone; fetched ahead in order, and nothing fetched
after a failure or once the caller stops."""

import threading
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inbox.batching import BATCH_BYTES, BATCH_MESSAGES, LARGE_MAIL_BYTES, batches_of, prefetched
from inbox.mailstore import MailServerError

MB = 1024 * 1024


def test_the_limits():
    assert (BATCH_MESSAGES, BATCH_BYTES, LARGE_MAIL_BYTES) == (250, 8 * MB, 4 * MB)


def test_small_mail_goes_in_batches_of_250():
    uids = list(range(1, 601))
    batches = list(batches_of(uids, {uid: 1000 for uid in uids}))
    assert [len(b) for b in batches] == [250, 250, 100]
    assert [uid for b in batches for uid in b] == uids


def test_a_batch_closes_before_it_would_pass_8_mb():
    sizes = {1: 3 * MB, 2: 3 * MB, 3: 2 * MB, 4: 1, 5: 3 * MB}
    # 3 + 3 + 2 = 8 MB exactly fits; the fourth would pass it
    assert list(batches_of([1, 2, 3, 4, 5], sizes)) == [[1, 2, 3], [4, 5]]


def test_mail_over_4_mb_goes_alone_and_the_batch_around_it_is_cut():
    sizes = {1: 10, 2: 4 * MB + 1, 3: 10, 4: 4 * MB, 5: 10}
    assert list(batches_of([1, 2, 3, 4, 5], sizes)) == [[1], [2], [3, 4, 5]]


def test_large_mail_first_and_last():
    sizes = {1: 5 * MB, 2: 10, 3: 6 * MB}
    assert list(batches_of([1, 2, 3], sizes)) == [[1], [2], [3]]


def test_a_uid_without_a_size_counts_as_empty():
    assert list(batches_of([5, 6], {})) == [[5, 6]]


def test_no_uids_no_batches():
    assert list(batches_of([], {})) == []


@given(st.lists(st.integers(min_value=0, max_value=6 * MB), max_size=600))
def test_every_uid_once_in_order_within_the_limits(sizes_list):
    uids = list(range(1, len(sizes_list) + 1))
    sizes = dict(zip(uids, sizes_list, strict=True))
    batches = list(batches_of(uids, sizes))
    assert [uid for batch in batches for uid in batch] == uids
    for batch in batches:
        assert batch
        if len(batch) > 1:
            assert len(batch) <= BATCH_MESSAGES
            assert sum(sizes[u] for u in batch) <= BATCH_BYTES
            assert all(sizes[u] <= LARGE_MAIL_BYTES for u in batch)
    for first, second in pairwise(batches):  # each cut had a reason
        if any(sizes[u] > LARGE_MAIL_BYTES for u in first + second):
            continue
        assert (
            len(first) == BATCH_MESSAGES
            or sum(sizes[u] for u in first) + sizes[second[0]] > BATCH_BYTES
        )


def test_prefetched_yields_every_batch_with_its_fetch_in_order():
    got = list(prefetched(lambda batch: [u * 10 for u in batch], [[1, 2], [3], [4, 5]]))
    assert got == [([1, 2], [10, 20]), ([3], [30]), ([4, 5], [40, 50])]


def test_prefetched_of_nothing_fetches_nothing():
    assert list(prefetched(lambda batch: 1 / 0, [])) == []


@pytest.mark.parametrize("ahead", [1, 2, 3])
def test_prefetched_fetches_at_most_ahead_batches_before_the_caller_takes_one(ahead):
    fetched, release = [], threading.Event()

    def fetch(batch):
        fetched.append(batch)
        return batch

    batches = prefetched(fetch, [[n] for n in range(1, 8)], ahead=ahead)
    first = next(batches)
    assert first == ([1], [1])
    for _ in range(100):  # let the fetch thread run as far as it may
        if len(fetched) >= ahead + 1:
            break
        release.wait(0.01)
    assert len(fetched) == ahead + 1  # the one taken, and `ahead` more
    rest = list(batches)
    assert [b for b, _ in rest] == [[n] for n in range(2, 8)]


@pytest.mark.parametrize("ahead", [1, 2])
def test_a_failed_fetch_stops_the_fetching_and_reaches_the_caller(ahead):
    asked = []

    def fetch(batch):
        asked.append(batch)
        if batch == [2]:
            raise MailServerError("the link died", retryable=True)
        return batch

    seen = []
    with pytest.raises(MailServerError, match="the link died"):
        for batch, _ in prefetched(fetch, [[1], [2], [3], [4], [5]], ahead=ahead):
            seen.append(batch)
    assert seen == [[1]]
    assert [3] not in asked and [4] not in asked


def test_a_caller_that_stops_leaves_the_rest_unfetched():
    asked = []

    def fetch(batch):
        asked.append(batch)
        return batch

    batches = prefetched(fetch, [[n] for n in range(1, 20)], ahead=2)
    next(batches)
    batches.close()
    assert len(asked) <= 3


def test_after_a_large_mail_the_next_batch_fills_to_exactly_8_mb():
    assert list(batches_of([1, 2, 3], {1: 5 * MB, 2: 4 * MB, 3: 4 * MB})) == [[1], [2, 3]]


def test_after_a_cut_the_next_batch_fills_to_exactly_8_mb():
    sizes = {1: 4 * MB, 2: 4 * MB, 3: 1, 4: 4 * MB, 5: 4 * MB - 1}
    assert list(batches_of([1, 2, 3, 4, 5], sizes)) == [[1, 2], [3, 4, 5]]


def test_a_uid_without_a_size_adds_nothing_to_a_full_batch():
    assert list(batches_of([1, 2, 3], {1: 4 * MB, 2: 4 * MB})) == [[1, 2, 3]]


def test_prefetched_fetches_one_ahead_by_default():
    """While the caller stores a batch, the next one is fetched, and no more: each batch
    held ahead is megabytes of mail, on top of what the parse workers hold."""
    fetched = []
    batches = prefetched(lambda batch: fetched.append(batch) or batch, [[n] for n in range(9)])
    next(batches)
    for _ in range(100):
        if len(fetched) >= 2:
            break
        threading.Event().wait(0.01)
    threading.Event().wait(0.05)
    assert len(fetched) == 2
    batches.close()


def test_prefetched_fetches_one_batch_at_a_time_on_its_own_thread():
    """The pass's one IMAP connection is never used by two fetches at once."""
    lock, running, most, names = threading.Lock(), [0], [0], set()

    def fetch(batch):
        names.add(threading.current_thread().name)
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        threading.Event().wait(0.01)
        with lock:
            running[0] -= 1
        return batch

    assert [b for b, _ in prefetched(fetch, [[n] for n in range(12)], ahead=4)] == [
        [n] for n in range(12)
    ]
    assert most[0] == 1
    assert all(name.startswith("imap-fetch") for name in names), names
