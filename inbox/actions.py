"""Actions on the seller's mail server: written as a row first, then carried out.

A row is claimed with a conditional UPDATE before the server is touched, so two workers
never carry out one action twice; a failure is written on the row and retried with backoff
until it succeeds or is given up. Every done action can be undone by its opposite.
"""

import logging
import uuid
from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from escalations.models import Escalation
from escalations.services import escalations_resolve
from inbox.imap import connect
from inbox.mailstore import MailServerError, MailStore
from inbox.models import Folder, MailAction, Mailbox, Message
from sellerdesk.bulkinsert import update_rows
from sellerdesk.retry import backoff

log = logging.getLogger(__name__)

# A worker killed mid-action leaves its row running; after this it is tried again.
STUCK_AFTER = timedelta(minutes=10)
# Mail acted on per server command (one MOVE or STORE) and recorded together.
CHUNK = 1000


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


def mail_act_by_hand(*, message: Message, kind: str, by) -> MailAction:
    """A person acts on a mail from the desk. Trashed or marked read, it is handled: the
    escalation about it ends, saying so."""
    with transaction.atomic():
        action = mail_action_request(message=message, kind=kind, by=by)
        if kind in (MailAction.Kind.TRASH, MailAction.Kind.MARK_READ):
            escalations_resolve(
                escalations=Escalation.objects.filter(mail=message),
                reason=f"The mail was handled in the desk ({action.get_kind_display().lower()}).",
                by=by,
            )
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


def mail_seen(*, message: Message, by, reason: str) -> None:
    """Mark a mail read on the server (unless it is, or is about to be)."""
    pending = message.actions.filter(kind=MailAction.Kind.MARK_READ,
                                     state__in=["pending", "running"]).exists()  # fmt: skip
    if not pending and message.uid is not None:
        mail_action_request(message=message, kind=MailAction.Kind.MARK_READ, by=by, reason=reason)


def _enqueue(action_id: int) -> None:
    async_task("inbox.tasks.perform_action", action_id, task_name=f"mail action {action_id}")


def _due(mailbox: Mailbox):
    now = timezone.now()
    return MailAction.objects.filter(
        message__mailbox=mailbox, attempts__lt=MailAction.MAX_ATTEMPTS
    ).filter(
        Q(state__in=[MailAction.State.PENDING, MailAction.State.FAILED], next_attempt_at__lte=now)
        | Q(state=MailAction.State.RUNNING, next_attempt_at__lte=now - STUCK_AFTER)
    )


def perform_due(*, conn: MailStore, mailbox: Mailbox) -> int:
    """Carry out every due action of `mailbox` over an open connection."""
    ids = list(_due(mailbox).order_by("pk").values_list("pk", flat=True)[:5000])
    return _perform(conn, ids) if ids else 0


def perform_one(*, action_id: int) -> bool:
    """Open a connection and carry out one action, if it is still due."""
    action = MailAction.objects.select_related("message__mailbox").filter(pk=action_id).first()
    if action is None or not _due(action.message.mailbox).filter(pk=action_id).exists():
        return False
    try:
        with connect(action.message.mailbox) as conn:
            return bool(_perform(conn, [action_id]))
    except MailServerError as exc:
        _failed([action_id], exc)
        return False


def _claim(action_ids: list[int]) -> str | None:
    """Take the due actions among `action_ids`; returns the claim token, None if none."""
    token, now = uuid.uuid4().hex, timezone.now()
    taken = (
        MailAction.objects.filter(pk__in=action_ids)
        .filter(
            Q(state__in=[MailAction.State.PENDING, MailAction.State.FAILED])
            | Q(state=MailAction.State.RUNNING, next_attempt_at__lte=now - STUCK_AFTER)
        )
        .update(
            state=MailAction.State.RUNNING,
            attempts=F("attempts") + 1,
            next_attempt_at=now,
            claim=token,
        )
    )
    return token if taken else None


def _failed(action_ids: list[int], exc: MailServerError) -> None:
    now = timezone.now()
    for action in MailAction.objects.filter(pk__in=action_ids).only("pk", "attempts", "kind"):
        give_up = not exc.retryable or action.attempts >= MailAction.MAX_ATTEMPTS
        MailAction.objects.filter(pk=action.pk).update(
            state=MailAction.State.FAILED,
            last_error=("Gave up: " if give_up else "") + str(exc),
            attempts=MailAction.MAX_ATTEMPTS if give_up else action.attempts,
            next_attempt_at=now + backoff(action.attempts),
            claim="",
        )
        log.warning("mail action %s failed (%s): %s", action.pk, action.kind, exc)


# What carrying out an action reads of it and its mail (a first sync claims thousands at once).
CARRIED_OUT = (
    "kind", "attempts", "message__uid", "message__message_id", "message__mailbox_id",
    "message__folder", "message__origin",
)  # fmt: skip


def _perform(conn: MailStore, action_ids: list[int]) -> int:
    token = _claim(action_ids)
    if token is None:
        return 0
    claimed = list(
        MailAction.objects.filter(claim=token, state=MailAction.State.RUNNING)
        .select_related("message__folder", "message__origin")
        .only(*CARRIED_OUT)
    )
    folders = {
        (f.mailbox_id, f.role): f
        for f in Folder.objects.filter(mailbox__in={a.message.mailbox_id for a in claimed})
    }
    gone = [a for a in claimed if a.message.uid is None]
    for action in _already_done(conn, gone, folders):
        gone.remove(action)
    if gone:
        _failed([a.pk for a in gone], MailServerError(
            "This mail is no longer where the desk last saw it on the server.", retryable=False
        ))  # fmt: skip
    groups: dict[tuple, list[MailAction]] = defaultdict(list)
    for action in claimed:
        if action.message.uid is not None:
            target = _target_folder(action, action.message, folders)
            groups[(action.kind, action.message.folder, target)].append(action)
    done = 0
    for (kind, source, target), actions in groups.items():
        actions.sort(key=lambda a: a.message.uid)  # neighbours in one compact UID set
        # Recorded chunk by chunk: a failure part-way leaves what the server did recorded
        # done, and only the rest queued for retry.
        for start in range(0, len(actions), CHUNK):
            chunk = actions[start : start + CHUNK]
            try:
                _carry_out(conn, kind, source, target, chunk)
            except MailServerError as exc:
                _failed([a.pk for a in chunk], exc)
            else:
                done += len(chunk)
    return done


def _already_done(conn, gone: list[MailAction], folders: dict) -> list[MailAction]:
    """Moves the server carried out although its answer never came (the link died): the
    mail left its folder and is found, by its Message-ID, where the move would put it.
    Recorded as done there; moving again would find nothing to move. Returns the actions
    settled here (done, or failed for now because the server could not be asked)."""
    found = []
    for action in gone:
        message = action.message
        if action.kind not in (MailAction.Kind.TRASH, MailAction.Kind.RESTORE):
            continue
        if not message.message_id:
            continue
        target = _target_folder(action, message, folders)
        try:
            uid = conn.find_by_message_id(target.name, message.message_id)
        except MailServerError as exc:
            _failed([action.pk], exc)  # cannot look now: try again later
            found.append(action)
            continue
        if uid is None or target.messages.filter(uid=uid).exclude(pk=message.pk).exists():
            continue
        source = message.folder
        message.folder, message.uid, message.removed_at = target, uid, None
        with transaction.atomic():
            message.save(update_fields=["folder", "uid", "removed_at"])
            _done([action], source, target)
        found.append(action)
    return found


def _done(actions: list[MailAction], source: Folder, target: Folder) -> None:
    MailAction.objects.filter(pk__in=[a.pk for a in actions]).update(
        state=MailAction.State.DONE,
        done_at=timezone.now(),
        last_error="",
        claim="",
        from_folder=source.name,
        to_folder=target.name,
    )


def _carry_out(conn, kind, source: Folder, target: Folder, actions: list[MailAction]) -> None:
    messages = [a.message for a in actions]
    uids = [m.uid for m in messages]
    if kind in (MailAction.Kind.TRASH, MailAction.Kind.RESTORE):
        moved = conn.move(source.name, uids, target.name)
        for message in messages:
            new_uid = moved.get(message.uid)
            if new_uid is None and message.message_id:  # the server did not say (no UIDPLUS)
                new_uid = conn.find_by_message_id(target.name, message.message_id)
            message.folder, message.uid = target, new_uid
        fields = ["folder", "uid"]
    else:
        seen = kind == MailAction.Kind.MARK_READ
        conn.set_seen(source.name, uids, seen)
        for message in messages:
            message.is_seen = seen
        fields = ["is_seen"]
    with transaction.atomic():
        update_rows(Message, fields, messages)
        _done(actions, source, target)


def _target_folder(action: MailAction, message: Message, folders: dict) -> Folder:
    if action.kind == MailAction.Kind.TRASH:
        return folders[(message.mailbox_id, Folder.Role.TRASH)]
    if action.kind == MailAction.Kind.RESTORE:
        return message.origin or folders[(message.mailbox_id, Folder.Role.INBOX)]
    return message.folder
