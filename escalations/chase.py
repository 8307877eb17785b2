"""The chase: the owner is told by the policy in `EscalationPolicy`: a text now, another
after two days without an answer, then email and chat a day later. Where each escalation
stands is in its columns (`step`, `next_step_at`); `notify_due()` takes the due ones and
writes what is to be sent as `Notification` rows in the same transaction that moves the step
on; `delivery.deliver_due()` sends them."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from escalations.compose import chat_for, email_for, text_for
from escalations.delivery import SWEEP_LIMIT, notification_queue
from escalations.models import Escalation, EscalationPolicy, Notification, NotificationItem

Step = Escalation.Step


def _in_quiet_hours(policy: EscalationPolicy, moment: datetime) -> datetime | None:
    """When the owner's quiet hours end, if `moment` falls in them."""
    if policy.quiet_from is None or policy.quiet_until is None:
        return None
    local = timezone.localtime(moment)
    start, end = policy.quiet_from, policy.quiet_until
    clock = local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    ends = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if ends <= local:
        ends += timedelta(days=1)
    return ends


def _plan_texts(escalations: list[Escalation], step: int, policy, now) -> list[Notification]:
    """Urgent ones each alone, at once (quiet hours only if the policy says so); the
    normal ones together in one digest when the policy digests."""
    urgent = [e for e in escalations if e.urgency == Escalation.Urgency.URGENT]
    normal = [e for e in escalations if e.urgency != Escalation.Urgency.URGENT]
    quiet_end = _in_quiet_hours(policy, now)
    groups = [([e], quiet_end if policy.urgent_waits_for_quiet_hours else None) for e in urgent]
    if policy.digest_minutes and len(normal) > 1:
        groups.append((normal, quiet_end))
    else:
        groups.extend(([e], quiet_end) for e in normal)
    planned = []
    for group, waits_until in groups:
        notification = notification_queue(
            Notification.Channel.SMS,
            to=settings.OWNER_PHONE,
            body=text_for(group, step),
            at=waits_until or now,
        )
        NotificationItem.objects.bulk_create(
            NotificationItem(
                notification=notification, escalation=e, step=step, channel=Notification.Channel.SMS
            )
            for e in group
        )
        planned.append(notification)
    return planned


def _plan_other_channels(escalations: list[Escalation]) -> list[Notification]:
    """One email and one chat post listing every item due at this step in the sweep."""
    subject, body = email_for(escalations)
    email = notification_queue(
        Notification.Channel.EMAIL,
        to=settings.OWNER_EMAIL,
        subject=subject,
        body=body,
        error="" if settings.OWNER_EMAIL else "OWNER_EMAIL is not set: no email sent.",
    )
    chat = notification_queue(
        Notification.Channel.CHAT,
        to=settings.OWNER_WEBHOOK_URL,
        body=chat_for(escalations),
        error="" if settings.OWNER_WEBHOOK_URL else "OWNER_WEBHOOK_URL is not set: no post.",
    )
    NotificationItem.objects.bulk_create(
        NotificationItem(
            notification=notification,
            escalation=escalation,
            step=Step.OTHER_CHANNELS,
            channel=notification.channel,
        )
        for notification in (email, chat)
        for escalation in escalations
    )
    return [email, chat]


def notify_due(*, now: datetime | None = None) -> int:
    """Take every step the policy says is due and write what it sends. Returns how many
    notifications were written. Safe to run in several workers at once."""
    now = now or timezone.now()
    policy = EscalationPolicy.current()
    retext = timedelta(hours=policy.retext_hours)
    others = timedelta(hours=policy.other_channels_hours)
    written = 0
    with transaction.atomic():
        open_due = Escalation.objects.select_for_update(skip_locked=True).filter(
            state=Escalation.State.OPEN, notify_owner=True, next_step_at__isnull=False
        )
        # Texts due within the digest window go together; the rest only when due.
        window = now + timedelta(minutes=policy.digest_minutes)
        due = list(
            open_due.filter(
                Q(step__lt=Step.RETEXTED, next_step_at__lte=window) | Q(next_step_at__lte=now)
            ).order_by("-created_at", "-pk")[:SWEEP_LIMIT]
        )
        if not any(e.next_step_at <= now for e in due):
            return 0
        by_step: dict[int, list[Escalation]] = {}
        for escalation in due:
            by_step.setdefault(escalation.step + 1, []).append(escalation)
        for step, group in by_step.items():
            if step == Step.OTHER_CHANNELS:
                written += len(_plan_other_channels(group))
            else:
                written += len(_plan_texts(group, step, policy, now))
            following = {Step.TEXTED: now + retext, Step.RETEXTED: now + others}.get(step)
            Escalation.objects.filter(pk__in=[e.pk for e in group], step=step - 1).update(
                step=step, next_step_at=following
            )
    return written
