"""The worker's recurring schedules, kept in the database by name, never duplicated.

Each app adds its own entries here; `install_schedules` runs after every migrate (and as
`manage.py install_schedules`) and makes django-q2's Schedule table match this list.
"""

from dataclasses import dataclass

PREFIX = "sellerdesk:"


@dataclass(frozen=True)
class RecurringTask:
    name: str
    func: str
    minutes: int


def _schedules() -> list[RecurringTask]:
    from django.conf import settings

    return [
        RecurringTask("worker heartbeat", "sellerdesk.tasks.worker_heartbeat", 1),
        RecurringTask("sync mail", "inbox.tasks.sync_all_mailboxes", settings.MAIL_SYNC_MINUTES),
        RecurringTask("notify the owner", "escalations.tasks.notify", settings.NOTIFY_MINUTES),
        RecurringTask("buyer reply clock", "buyers.tasks.check_buyer_clock", 5),
        RecurringTask("pull Amazon", "dashboard.tasks.pull_amazon", settings.AMAZON_PULL_MINUTES),
    ]


def install_schedules(**_kwargs) -> int:
    """Create or update every schedule, drop ones no longer listed. Returns how many exist."""
    from django_q.models import Schedule

    wanted = {PREFIX + task.name: task for task in _schedules()}
    for name, task in wanted.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": task.func,
                "schedule_type": Schedule.MINUTES,
                "minutes": task.minutes,
                "repeats": -1,
            },
        )
    Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=wanted).delete()
    return len(wanted)
