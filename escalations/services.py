"""Writes on escalations. Other apps open escalations only through these functions.

The owner is chased by the policy in `EscalationPolicy`: a text now, another after two days
without an answer, then email and chat a day later. Where each escalation stands is in its
columns (`step`, `next_step_at`); `notify_due()` takes the due ones, writes what is to be
sent as `Notification` rows in the same transaction that moves the step on (a step has at
most one row per channel, by a unique constraint), and `deliver_due()` sends the rows,
each claimed by a conditional UPDATE first, so no two workers send one row.
"""

import logging
import uuid
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from escalations import gsm
from escalations.chat import ChatError, chat_post
from escalations.links import owner_link
from escalations.models import (
    Escalation,
    EscalationPolicy,
    InboundText,
    Notification,
    NotificationItem,
    number_for,
)
from escalations.scrub import owner_safe
from escalations.sms import SmsError, sms_backend
from inbox.smtp import MailSendError, smtp_send
from sellerdesk.retry import backoff

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
SWEEP_LIMIT = 500
Step = Escalation.Step


# --- Opening and answering -------------------------------------------------------------


def _first_step_at(notify_owner: bool, now: datetime) -> datetime | None:
    if not notify_owner:
        return None
    return now + timedelta(minutes=EscalationPolicy.current().first_text_minutes)


def _notify_soon() -> None:
    """Ask the worker for a sweep once this transaction commits (the schedule sweeps every
    minute anyway: this only makes "text now" mean now)."""
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task("escalations.tasks.notify", group="notify"))


def escalation_open(
    *,
    about: str,
    summary: str,
    details: str = "",
    draft: str = "",
    mail=None,
    conversation=None,
    notify_owner: bool = True,
    by=None,
) -> Escalation:
    summary, details = owner_safe(" ".join(summary.split())), owner_safe(details)
    if not summary:
        raise ValidationError("An escalation needs a summary for the owner.")
    if about not in Escalation.About.values:
        raise ValidationError(f"Unknown kind of escalation {about!r}.")
    now = timezone.now()
    escalation = Escalation.objects.create(
        about=about,
        summary=summary[:300],
        details=details,
        draft=draft,
        mail=mail,
        conversation=conversation,
        notify_owner=notify_owner,
        opened_by=by,
        created_at=now,
        next_step_at=_first_step_at(notify_owner, now),
    )
    if notify_owner:
        _notify_soon()
    return escalation


def escalations_open_for_mail(*, mails, notify_owner: bool, by_id=None) -> list[Escalation]:
    """Open one escalation per mail that has no open one yet (in one go, for a batch)."""
    from escalations.summaries import summarize_mail

    mails = list(mails)
    now = timezone.now()
    first_step = _first_step_at(notify_owner, now)  # one policy read for the whole batch
    with transaction.atomic():
        already = set(
            Escalation.objects.filter(mail__in=mails, state=Escalation.State.OPEN).values_list(
                "mail_id", flat=True
            )
        )
        created = Escalation.objects.bulk_create(
            Escalation(
                about=Escalation.About.MAIL,
                summary=summarize_mail(mail),
                details=owner_safe(mail.content.text)[:5000],
                mail=mail,
                notify_owner=notify_owner,
                opened_by_id=by_id,
                created_at=now,
                next_step_at=first_step,
            )
            for mail in mails
            if mail.pk not in already
        )
        if created and notify_owner:
            _notify_soon()
    return created


def escalation_edit(*, escalation: Escalation, summary: str, details: str | None = None) -> None:
    summary = owner_safe(" ".join(summary.split()))
    if not summary:
        raise ValidationError("The summary cannot be empty.")
    fields = {"summary": summary[:300]}
    if details is not None:
        fields["details"] = owner_safe(details)
    Escalation.objects.filter(pk=escalation.pk).update(**fields)


def escalation_answer(
    *, escalation: Escalation, kind: str, text: str = "", via: str, by=None
) -> Escalation:
    """The owner's answer: free text, the draft approved (as is or edited), or dismissed.
    Nothing more is sent about it afterwards."""
    text = text.strip()
    if kind not in Escalation.AnswerKind.values:
        raise ValidationError(f"Unknown answer {kind!r}.")
    if kind in (Escalation.AnswerKind.TEXT, Escalation.AnswerKind.EDITED) and not text:
        raise ValidationError("Write an answer first.")
    if len(text) > 5000:
        raise ValidationError("The answer is longer than 5,000 characters.")
    with transaction.atomic():
        current = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if current.state in (Escalation.State.RESOLVED, Escalation.State.CANCELLED):
            raise ValidationError("This is already closed.")
        if kind == Escalation.AnswerKind.APPROVED:
            if not current.draft:
                raise ValidationError("There is no draft to approve.")
            text = current.draft
        current.answer, current.answer_kind = text, kind
        current.state = Escalation.State.ANSWERED
        current.answered_at, current.answered_via = timezone.now(), via
        current.next_step_at = None
        current.save(
            update_fields=[
                "answer",
                "answer_kind",
                "state",
                "answered_at",
                "answered_via",
                "next_step_at",
            ]
        )
        if current.conversation_id and kind != Escalation.AnswerKind.DISMISSED:
            _buyer_answer(current, kind)
    return current


def _buyer_answer(escalation: Escalation, kind: str) -> None:
    """A buyer's question answered: the reply is drafted from the answer. A draft reply
    approved: it is sent to the buyer (a failed send is shown in the conversation)."""
    from inbox.conversations import conversation_owner_answered

    approved = kind in (Escalation.AnswerKind.APPROVED, Escalation.AnswerKind.EDITED)
    conversation_owner_answered(
        conversation=escalation.conversation,
        answer=escalation.answer,
        about=escalation.about,
        approved=approved,
    )


def escalation_close(*, escalation: Escalation, by, cancel: bool = False) -> None:
    state = Escalation.State.CANCELLED if cancel else Escalation.State.RESOLVED
    Escalation.objects.filter(pk=escalation.pk).exclude(state=state).update(
        state=state, resolved_at=timezone.now(), resolved_by=by, next_step_at=None
    )


# --- What the owner is sent -------------------------------------------------------------


def signature_initials(escalation: Escalation | None = None) -> str:
    """The assistant who signs: whoever opened it, else the assistant last signed in."""
    from sellerdesk.selectors import assistant_on_duty

    if escalation is not None and escalation.opened_by_id and escalation.opened_by.initials:
        return escalation.opened_by.initials
    assistant = assistant_on_duty()
    return assistant.initials if assistant else "SD"


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


def _text_for(escalations: list[Escalation], step: int, notification: Notification) -> str:
    first = escalations[0]
    initials = signature_initials(first if len(escalations) == 1 else None)
    prefix = "Reminder:" if step == Step.RETEXTED else ""
    if len(escalations) == 1:
        link = owner_link("e", first.pk)
        return gsm.compose(
            summary=first.summary,
            reference=first.reference,
            link=link,
            initials=initials,
            prefix=prefix,
        )
    refs = [e.reference for e in escalations]
    reference = " #".join(refs)
    if len(reference) > 30:
        reference = f"{refs[0]} +{len(refs) - 1}"
    summary = f"{len(escalations)} items need you. Newest: {first.summary}"
    return gsm.compose(
        summary=summary,
        reference=reference,
        link=owner_link("n", notification.pk),
        initials=initials,
        prefix=prefix,
    )


def _email_for(escalation: Escalation) -> tuple[str, str]:
    days = max(1, (timezone.now() - escalation.created_at).days)
    subject = f"Waiting {days} days for your answer: {escalation.summary}"[:200]
    body = (
        f"{escalation.summary}\n\n"
        f"Texts about this (#{escalation.reference}) got no answer. Answer here:\n"
        f"{owner_link('e', escalation.pk)}\n\n"
        f"{escalation.details[:2000]}\n\n-{signature_initials(escalation)}"
    )
    return subject, body


def _queue(channel: str, *, to: str, body: str, subject: str = "", at=None, error: str = ""):
    notification = Notification.objects.create(
        channel=channel,
        to=to,
        body=body,
        subject=subject,
        segments=gsm.segments(body) if channel == Notification.Channel.SMS else 0,
        next_attempt_at=at or timezone.now(),
        state=Notification.State.FAILED if error else Notification.State.QUEUED,
        error=error,
    )
    return notification


def _plan_texts(escalations: list[Escalation], step: int, policy, now) -> list[Notification]:
    at = _in_quiet_hours(policy, now) or now
    groups = (
        [escalations]
        if policy.digest_minutes and len(escalations) > 1
        else [[e] for e in escalations]
    )
    planned = []
    for group in groups:
        notification = _queue(Notification.Channel.SMS, to=settings.OWNER_PHONE, body="-", at=at)
        notification.body = _text_for(group, step, notification)
        notification.segments = gsm.segments(notification.body)
        notification.save(update_fields=["body", "segments"])
        NotificationItem.objects.bulk_create(
            NotificationItem(
                notification=notification, escalation=e, step=step, channel=Notification.Channel.SMS
            )
            for e in group
        )
        planned.append(notification)
    return planned


def _plan_other_channels(escalation: Escalation) -> list[Notification]:
    subject, body = _email_for(escalation)
    email = _queue(
        Notification.Channel.EMAIL,
        to=settings.OWNER_EMAIL,
        subject=subject,
        body=body,
        error="" if settings.OWNER_EMAIL else "OWNER_EMAIL is not set: no email sent.",
    )
    chat = _queue(
        Notification.Channel.CHAT,
        to=settings.OWNER_WEBHOOK_URL,
        body=f"{escalation.summary} (#{escalation.reference}, no answer to texts) "
        f"{owner_link('e', escalation.pk)} -{signature_initials(escalation)}",
        error="" if settings.OWNER_WEBHOOK_URL else "OWNER_WEBHOOK_URL is not set: no post.",
    )
    for notification in (email, chat):
        NotificationItem.objects.create(
            notification=notification,
            escalation=escalation,
            step=Step.OTHER_CHANNELS,
            channel=notification.channel,
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
                for escalation in group:
                    written += len(_plan_other_channels(escalation))
            else:
                written += len(_plan_texts(group, step, policy, now))
            following = {Step.TEXTED: now + retext, Step.RETEXTED: now + others}.get(step)
            Escalation.objects.filter(pk__in=[e.pk for e in group], step=step - 1).update(
                step=step, next_step_at=following
            )
    return written


# --- Sending ----------------------------------------------------------------------------


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
    _notify_soon()


# --- The owner's texts back, and delivery reports ---------------------------------------


def inbound_text_record(*, message_sid: str, from_number: str, body: str) -> InboundText:
    """A reply from the owner: filed on the escalation it names (`#K7 ...`), else on the
    one texted last, and confirmed with one short text. Twilio resending the same
    message changes nothing."""
    with transaction.atomic():
        inbound, created = InboundText.objects.get_or_create(
            message_sid=message_sid, defaults={"from_number": from_number, "body": body}
        )
        if not created:
            return inbound
        escalation = _escalation_named(body) or _escalation_texted_last()
        if escalation is None:
            inbound.note = "No open escalation to file it under."
            reply = "Got your text; nothing is waiting for an answer, so I kept it as a note."
        else:
            answer = body.strip()
            match = _reference_at_start(answer)
            if match and number_for(match) == escalation.pk:
                answer = answer[len(match) :].strip(" :-,.")
            try:
                escalation_answer(
                    escalation=escalation,
                    kind=Escalation.AnswerKind.TEXT,
                    text=answer or body.strip(),
                    via="text",
                )
                inbound.escalation = escalation
                reply = f"Thanks, noted on #{escalation.reference}: {escalation.summary}"
            except ValidationError as exc:
                inbound.escalation = escalation
                inbound.note = "; ".join(exc.messages)[:200]
                reply = f"#{escalation.reference} is already closed; I kept your text."
        initials = signature_initials(escalation)
        text = gsm.shorten(gsm.to_gsm(reply), gsm.SEGMENT - len(initials) - 2) + f" -{initials}"
        inbound.confirmation = _queue(Notification.Channel.SMS, to=from_number, body=text)
        inbound.save()
        _notify_soon()
    return inbound


def _reference_at_start(text: str) -> str | None:
    word = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    word = word.rstrip(":,.-")
    if word.startswith("#") or (2 <= len(word) <= 4 and word.isupper()):
        return word
    return None


def _escalation_named(body: str) -> Escalation | None:
    reference = _reference_at_start(body)
    number = number_for(reference) if reference else None
    if number is None:
        return None
    return Escalation.objects.filter(pk=number).exclude(state=Escalation.State.CANCELLED).first()


def _escalation_texted_last() -> Escalation | None:
    item = (
        NotificationItem.objects.filter(
            channel=Notification.Channel.SMS, escalation__state=Escalation.State.OPEN
        )
        .select_related("escalation")
        .order_by("-notification__created_at", "-pk")
        .first()
    )
    return item.escalation if item else None


TWILIO_STATES = {
    "delivered": Notification.State.DELIVERED,
    "undelivered": Notification.State.UNDELIVERED,
    "failed": Notification.State.UNDELIVERED,
}


def delivery_report(*, message_sid: str, status: str, error_code: str = "") -> bool:
    """Twilio's status callback: the text was delivered, or could not be."""
    state = TWILIO_STATES.get(status)
    if state is None:
        return False  # queued, sending, sent: nothing new for the desk
    fields = {"state": state}
    if state == Notification.State.DELIVERED:
        fields["delivered_at"] = timezone.now()
    else:
        fields["error"] = f"Twilio reports {status}" + (
            f" (error {error_code})" if error_code else ""
        )
    return bool(Notification.objects.filter(provider_id=message_sid).update(**fields))


# --- Acting on the answer to a mail -----------------------------------------------------


def escalation_mail_reply(*, escalation: Escalation, body: str, by):
    """Answer the escalated mail from the desk; once the SMTP server took the reply the mail
    is marked read and the escalation resolved. A failed send changes neither."""
    from inbox.replies import mail_reply_send

    if escalation.mail is None:
        raise ValidationError("This escalation is not about a mail.")
    reply = mail_reply_send(message=escalation.mail, body=body, by=by)
    if reply.state == reply.State.SENT:
        escalation_close(escalation=escalation, by=by)
    return reply


def escalation_mail_handled(*, escalation: Escalation, by) -> None:
    """The mail needs no reply from the desk (handled elsewhere): mark it read, resolve."""
    from inbox.replies import mail_seen

    if escalation.mail is None:
        raise ValidationError("This escalation is not about a mail.")
    with transaction.atomic():
        mail_seen(message=escalation.mail, by=by, reason=f"handled (#{escalation.reference})")
        escalation_close(escalation=escalation, by=by)
