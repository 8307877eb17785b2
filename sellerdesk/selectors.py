"""Reads shared by every app."""

from datetime import timedelta

from django.utils import timezone

from sellerdesk.models import WorkerBeat

# The heartbeat runs every minute; three missed beats mean the worker is not running.
WORKER_STALE_AFTER = timedelta(minutes=3)


def worker_last_seen():
    beat = WorkerBeat.objects.filter(name="scheduler").only("seen_at").first()
    return beat.seen_at if beat else None


def worker_is_running() -> bool:
    seen = worker_last_seen()
    return seen is not None and timezone.now() - seen < WORKER_STALE_AFTER


def assistant_on_duty():
    """The assistant who signs texts to the owner: the one who signed in last."""
    from django.contrib.auth import get_user_model

    from sellerdesk.roles import Role

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.ASSISTANT)
        .exclude(initials="")
        .order_by("-last_login", "pk")
        .first()
    )
