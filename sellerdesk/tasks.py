"""Worker tasks shared by every app: thin doors into services."""

from django.utils import timezone

from sellerdesk.models import WorkerBeat
from sellerdesk.once import forget_old


def worker_heartbeat() -> None:
    """Record that a worker ran a scheduled task, so the desk can say when it stopped."""
    WorkerBeat.objects.update_or_create(name="scheduler", defaults={"seen_at": timezone.now()})
    forget_old()  # one-time keys of forms posted a week ago and more


def worker_started(**_) -> None:
    """django-q2's `post_spawn`: a worker process started, so the worker is running now,
    before its first scheduled heartbeat."""
    worker_heartbeat()


def watcher_beat(mailbox: str, folder: str, *, listening: bool) -> None:
    """The mail watcher's beat for one folder: it listens (IMAP IDLE), or is reconnecting."""
    WorkerBeat.objects.update_or_create(
        name=f"watch {mailbox}/{folder}",
        defaults={"seen_at": timezone.now(), "state": "listening" if listening else "reconnecting"},
    )
