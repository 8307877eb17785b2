"""Reads shared by every app."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule, Task

from sellerdesk.logs import redact
from sellerdesk.models import WorkerBeat
from sellerdesk.roles import Role
from sellerdesk.schedules import PREFIX

# The heartbeat runs every minute; three missed beats mean the worker is not running.
WORKER_STALE_AFTER = timedelta(minutes=3)


def worker_last_seen():
    beat = WorkerBeat.objects.filter(name="scheduler").only("seen_at").first()
    return beat.seen_at if beat else None


def worker_is_running(seen) -> bool:
    """Whether the worker's last heartbeat (`worker_last_seen()`) is recent."""
    return seen is not None and timezone.now() - seen < WORKER_STALE_AFTER


def the_owner():
    """The owner's account: an answer through the owner's link is recorded as theirs."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.OWNER)
        .order_by("pk")
        .first()
    )


def assistant_on_duty():
    """The assistant who signs texts to the owner: the one who signed in last."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.ASSISTANT)
        .exclude(initials="")
        .order_by("-last_login", "pk")
        .first()
    )


@dataclass
class ScheduleHealth:
    name: str
    minutes: int | None
    next_run: datetime | None
    last_started: datetime | None
    last_ok: bool | None  # None: never ran, or its record was pruned
    last_result: str


# The watcher beats after every IDLE (25 s): two missed beats and a folder is not watched.
WATCHER_STALE_AFTER = timedelta(seconds=60)


@dataclass
class WatchedFolder:
    name: str  # mailbox/folder
    state: str  # Listening, Reconnecting, Not listening
    seen_at: datetime


def watcher_health(now=None) -> list[WatchedFolder]:
    now = now or timezone.now()
    rows = []
    for beat in WorkerBeat.objects.filter(name__startswith="watch ").order_by("name"):
        if now - beat.seen_at > WATCHER_STALE_AFTER:
            state = "Not listening"
        else:
            state = "Listening" if beat.state == "listening" else "Reconnecting"
        rows.append(WatchedFolder(beat.name.removeprefix("watch "), state, beat.seen_at))
    return rows


@dataclass
class WorkerHealth:
    running: bool
    last_seen: datetime | None
    schedules: list[ScheduleHealth]
    queued: int | None  # None: the broker did not answer
    in_progress: int | None  # None: not known (Redis does not count them)
    broker: str
    broker_error: str
    failures_24h: int
    recent_failures: list = field(default_factory=list)
    watched: list = field(default_factory=list)  # WatchedFolder per folder the watcher knows


def worker_health(now=None) -> WorkerHealth:
    """What the worker is doing: each recurring schedule's last run and next run, how many
    tasks wait in the broker, and the failed tasks of the last day."""
    now = now or timezone.now()
    schedules = list(Schedule.objects.filter(name__startswith=PREFIX).order_by("name"))
    last = Task.objects.in_bulk([s.task for s in schedules if s.task])
    rows = []
    for schedule in schedules:
        task = last.get(schedule.task)
        rows.append(
            ScheduleHealth(
                name=schedule.name.removeprefix(PREFIX),
                minutes=schedule.minutes,
                next_run=schedule.next_run,
                last_started=task.started if task else None,
                last_ok=task.success if task else None,
                last_result=redact(str(task.result))[:300] if task and not task.success else "",
            )
        )
    broker = get_broker()
    queued = in_progress = None
    broker_error = ""
    try:
        queued, in_progress = broker.queue_size(), broker.lock_size()
    except Exception as exc:  # the page must show a broken broker, not break with it
        broker_error = redact(f"{type(exc).__name__}: {exc}")[:300]
    failures = Task.objects.filter(success=False, stopped__gte=now - timedelta(days=1))
    last_seen = worker_last_seen()
    return WorkerHealth(
        running=worker_is_running(last_seen),
        last_seen=last_seen,
        schedules=rows,
        queued=queued,
        in_progress=in_progress,
        broker=type(broker).__name__,
        broker_error=broker_error,
        failures_24h=failures.count(),
        recent_failures=[
            (task.func, task.stopped, redact(str(task.result))[:300])
            for task in failures.order_by("-stopped")[:5]
        ],
        watched=watcher_health(now),
    )
