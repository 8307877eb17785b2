"""Actions on the seller's mail server: written as a row first, then carried out.

A row is claimed with a conditional UPDATE before the server is touched, so two workers
never carry out one action twice; a failure is written on the row and retried with backoff
until it succeeds or is given up. Every done action can be undone by its opposite.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from inbox.imap import ImapConnection, MailServerError
from inbox.models import Folder, MailAction, Mailbox, Message

log = logging.getLogger(__name__)

# A worker killed mid-action leaves its row running; after this it is tried again.
STUCK_AFTER = timedelta(minutes=10)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def mail_action_request(
    *, message: Message, kind: str, by=None, reason: str = "", undoes: MailAction | None = None
) -> MailAction:
    """Write the action down; the worker carries it out (right away, and on every sync)."""
    if kind not in MailAction.Kind.values:
        raise ValidationError(f"Unknown mail action {kind!r}.")
    if message.uid is None and message.removed_at is not None:
        raise ValidationError("This mail is no longer on the server.")
    action = MailAction.objects.create(
        message=message, kind=kind, requested_by=by, reason=reason[:255], undoes=undoes
    )
    transaction.on_commit(lambda: _enqueue(action.pk))
    return action


def mail_action_undo(*, action: MailAction, by=None) -> MailAction:
    action = MailAction.objects.select_related("message").get(pk=action.pk)
    if not action.can_undo:
        raise ValidationError("Only a finished action that was not undone yet can be undone.")
    return mail_action_request(
        message=action.message,
        kind=MailAction.UNDO[action.kind],
        by=by,
        reason=f"undo of #{action.pk}",
        undoes=action,
    )


def _enqueue(action_id: int) -> None:
    from django_q.tasks import async_task

    async_task("inbox.tasks.perform_action", action_id, task_name=f"mail action {action_id}")


def _due(mailbox: Mailbox):
    now = timezone.now()
    return MailAction.objects.filter(
        message__mailbox=mailbox, attempts__lt=MailAction.MAX_ATTEMPTS
    ).filter(
        Q(state__in=[MailAction.State.PENDING, MailAction.State.FAILED], next_attempt_at__lte=now)
        | Q(state=MailAction.State.RUNNING, next_attempt_at__lte=now - STUCK_AFTER)
    )


def perform_due(*, conn: ImapConnection, mailbox: Mailbox) -> int:
    """Carry out every due action of `mailbox` over an open connection."""
    done = 0
    for action_id in _due(mailbox).order_by("pk").values_list("pk", flat=True):
        done += _perform(conn, action_id)
    return done


def perform_one(*, action_id: int) -> bool:
    """Open a connection and carry out one action, if it is still due."""
    from inbox.sync import connect

    action = MailAction.objects.select_related("message__mailbox").filter(pk=action_id).first()
    if action is None or not _due(action.message.mailbox).filter(pk=action_id).exists():
        return False
    try:
        with connect(action.message.mailbox) as conn:
            return bool(_perform(conn, action_id))
    except MailServerError as exc:
        _failed(action_id, exc)
        return False


def _claim(action_id: int) -> bool:
    now = timezone.now()
    return (
        MailAction.objects.filter(pk=action_id)
        .filter(
            Q(state__in=[MailAction.State.PENDING, MailAction.State.FAILED])
            | Q(state=MailAction.State.RUNNING, next_attempt_at__lte=now - STUCK_AFTER)
        )
        .update(state=MailAction.State.RUNNING, attempts=F("attempts") + 1, next_attempt_at=now)
        == 1
    )


def _failed(action_id: int, exc: MailServerError) -> None:
    action = MailAction.objects.get(pk=action_id)
    give_up = not exc.retryable or action.attempts >= MailAction.MAX_ATTEMPTS
    MailAction.objects.filter(pk=action_id).update(
        state=MailAction.State.FAILED,
        last_error=("Gave up: " if give_up else "") + str(exc),
        attempts=MailAction.MAX_ATTEMPTS if give_up else action.attempts,
        next_attempt_at=timezone.now() + _backoff(action.attempts),
    )
    log.warning("mail action %s failed (%s): %s", action_id, action.kind, exc)


def _perform(conn: ImapConnection, action_id: int) -> int:
    if not _claim(action_id):
        return 0
    action = MailAction.objects.select_related("message__folder", "message__origin").get(
        pk=action_id
    )
    message = action.message
    try:
        if message.uid is None:
            raise MailServerError(
                "This mail is no longer where the desk last saw it on the server.",
                retryable=False,
            )
        source = message.folder
        if action.kind in (MailAction.Kind.TRASH, MailAction.Kind.RESTORE):
            target = _target_folder(action, message)
            new_uid = conn.move(source.name, message.uid, target.name)
            if new_uid is None and message.message_id:
                new_uid = conn.find_by_message_id(target.name, message.message_id)
            with transaction.atomic():
                Message.objects.filter(pk=message.pk).update(folder=target, uid=new_uid)
                _done(action, source.name, target.name)
        else:
            seen = action.kind == MailAction.Kind.MARK_READ
            conn.set_seen(source.name, message.uid, seen)
            with transaction.atomic():
                Message.objects.filter(pk=message.pk).update(is_seen=seen)
                _done(action, source.name, source.name)
    except MailServerError as exc:
        _failed(action_id, exc)
        return 0
    return 1


def _target_folder(action: MailAction, message: Message) -> Folder:
    if action.kind == MailAction.Kind.TRASH:
        return Folder.objects.get(mailbox_id=message.mailbox_id, role=Folder.Role.TRASH)
    return message.origin or Folder.objects.get(
        mailbox_id=message.mailbox_id, role=Folder.Role.INBOX
    )


def _done(action: MailAction, source: str, target: str) -> None:
    MailAction.objects.filter(pk=action.pk).update(
        state=MailAction.State.DONE,
        done_at=timezone.now(),
        last_error="",
        from_folder=source,
        to_folder=target,
    )
