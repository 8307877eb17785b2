"""When to try an outside call again: the one backoff every retrying row uses."""

from datetime import timedelta


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))
