"""The outbox: every text, email and chat post is a `Notification` row before it is sent;
`deliver_due()` sends the due rows, each claimed by a conditional UPDATE first, so no two
workers send one row, and records sent, failed (why) or gave up on it."""

import logging
import uuid
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from escalations import gsm
from escalations.chat import ChatError, chat_post
from escalations.models import Notification
from escalations.sms import SmsError, sms_backend
from sellerdesk.retry import backoff
from sellerdesk.smtp import MailSendError, smtp_send

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
SWEEP_LIMIT = 500


def sweep_soon() -> None:
    """Ask the worker for a sweep once this transaction commits (the schedule sweeps every
    minute anyway: this only makes "text now" mean now)."""
    transaction.on_commit(lambda: async_task("escalations.tasks.notify", group="notify"))


def notification_queue(
    channel: str, *, to: str, body: str, subject: str = "", at=None, error: str = ""
):
    """Write one outgoing message down (failed at once, with `error`, when it cannot go)."""
    return Notification.objects.create(
        channel=channel,
        to=to,
        body=body,
        subject=subject,
        segments=gsm.segments(body) if channel == Notification.Channel.SMS else 0,
        next_attempt_at=at or timezone.now(),
        state=Notification.State.FAILED if error else Notification.State.QUEUED,
        error=error,
    )


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str:
    """Send one queued notification, once: the row is claimed by a conditional UPDATE
    before any provider is called. A row left `sending` by a worker that died is taken
    again after its lease, and the provider is asked first whether it has it already."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = Notification.objects.filter(
        Q(state=Notification.State.QUEUED)
        | Q(state=Notification.State.SENDING, claimed_until__lt=now),
        pk=notification_id,
        next_attempt_at__lte=now,
    ).update(
        maybe_sent=Case(
            When(state=Notification.State.SENDING, then=Value(True)), default=F("maybe_sent")
        ),
        state=Notification.State.SENDING,
        claim=token,
        claimed_until=now + LEASE,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "not due"
    notification = Notification.objects.get(pk=notification_id)
    mine = Notification.objects.filter(pk=notification_id, claim=token)
    try:
        backend, provider_id = _send(notification)
    except (SmsError, ChatError, MailSendError) as exc:
        maybe_sent = notification.maybe_sent or getattr(exc, "maybe_sent", False)
        if exc.retryable and notification.attempts < MAX_ATTEMPTS:
            mine.update(
                state=Notification.State.QUEUED,
                error=str(exc)[:2000],
                maybe_sent=maybe_sent,
                next_attempt_at=now + backoff(notification.attempts),
            )
            log.warning("notification %s not sent, will retry: %s", notification_id, exc)
            return "retry"
        mine.update(state=Notification.State.FAILED, error=str(exc)[:2000])
        log.error("notification %s not sent, gave up: %s", notification_id, exc)
        return "failed"
    mine.update(
        state=Notification.State.SENT,
        backend=backend,
        provider_id=provider_id,
        sent_at=timezone.now(),
        error="",
    )
    return "sent"


def _send(notification: Notification) -> tuple[str, str]:
    if notification.channel == Notification.Channel.SMS:
        backend = sms_backend()
        if notification.maybe_sent:
            found = backend.find_sent(
                to=notification.to, body=notification.body, since=notification.created_at
            )
            if found:
                return backend.name, found.provider_id
        callback = settings.SITE_URL + reverse("sms-status")
        sent = backend.send(
            to=notification.to,
            body=notification.body,
            status_callback=callback if backend.name == "twilio" else "",
        )
        return backend.name, sent.provider_id
    if notification.channel == Notification.Channel.EMAIL:
        message_id = make_msgid(domain=settings.SELLER_EMAIL.rpartition("@")[2] or None)
        smtp_send(
            EmailMessage(
                notification.subject,
                notification.body,
                to=[notification.to],
                headers={"Message-ID": message_id},
            )
        )
        return "smtp", message_id
    chat_post(text=notification.body, url=notification.to)
    return "webhook", ""


def deliver_due(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> dict[str, int]:
    now = now or timezone.now()
    due = (
        Notification.objects.filter(
            Q(state=Notification.State.QUEUED)
            | Q(state=Notification.State.SENDING, claimed_until__lt=now),
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcome: dict[str, int] = {}
    for pk in list(due):
        result = notification_deliver(notification_id=pk, now=now)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


def notification_retry(*, notification: Notification) -> None:
    """The assistant asks for another try of a text that was given up."""
    Notification.objects.filter(pk=notification.pk, state=Notification.State.FAILED).update(
        state=Notification.State.QUEUED, next_attempt_at=timezone.now(), attempts=0
    )
    sweep_soon()
