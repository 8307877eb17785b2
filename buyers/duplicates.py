"""Mail stored twice, merged into one. Before the desk recognised mail that another client
moved between the folders it syncs, such a mail got a second row in its new folder and was
decided again: a second escalation (and text), or a second entry in the reply queue.

`duplicates_merge` finds, per mailbox, rows with the same content (the same bytes) of which
at most one is still on the server (rows all on the server at once are copies, and stay),
and keeps the oldest row, the mail as first decided. Onto it go the other rows' location (if
one of them is where the mail is now), escalations, replies, server actions and answered
state. Of the escalations still open or answered, the one that got furthest (the owner's
answer before one still waiting) stays; the others are cancelled with the reason. Then the
other rows go. Each merge is one transaction, and logged.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from buyers.models import BuyerMessage, Conversation, Reply
from buyers.replies import conversation_settle
from escalations.models import Escalation
from escalations.services import escalation_close
from inbox.models import MailAction, Message

log = logging.getLogger(__name__)

STILL_OPEN = (Escalation.State.OPEN, Escalation.State.ANSWERED)


@dataclass
class Merge:
    kept: int
    subject: str
    merged: list[int]
    where: str
    cancelled: list[str] = field(default_factory=list)  # references, as texted (#AB)


def duplicate_groups() -> list[list[Message]]:
    groups = []
    doubled = (
        Message.objects.values("mailbox_id", "content_hash")
        .annotate(rows=Count("id"))
        .filter(rows__gt=1)
        .order_by("mailbox_id", "content_hash")
    )
    for group in doubled:
        rows = list(
            Message.objects.filter(
                mailbox_id=group["mailbox_id"], content_hash=group["content_hash"]
            )
            .select_related("folder")
            .order_by("pk")
        )
        if sum(1 for row in rows if row.uid is not None) <= 1:
            groups.append(rows)
    return groups


def duplicates_merge(*, dry_run: bool = False) -> list[Merge]:
    merges = []
    for rows in duplicate_groups():
        if dry_run:
            merges.append(_plan(rows))
            continue
        with transaction.atomic():
            merges.append(_merge(rows))
        log.info(
            "Merged mail %s into %s (%s); cancelled %s",
            merges[-1].merged, merges[-1].kept, merges[-1].where, merges[-1].cancelled or "none",
        )  # fmt: skip
    return merges


def _plan(rows: list[Message]) -> Merge:
    kept, doubles = rows[0], rows[1:]
    now = next((row for row in rows if row.uid is not None), kept)
    _, extra = _escalations_kept(rows)
    cancelled = [f"#{e.reference}" for e in extra]
    return Merge(kept.pk, kept.subject, [d.pk for d in doubles], _where(now), cancelled)


def _escalations_kept(rows: list[Message]) -> tuple[Escalation | None, list[Escalation]]:
    """Of the escalations still open or answered about any of `rows`, the one to keep (the
    one that got furthest: answered before open, then the oldest) and the others."""
    live = list(
        Escalation.objects.filter(mail__in=rows, state__in=STILL_OPEN).order_by("created_at", "pk")
    )
    if not live:
        return None, []
    best = min(live, key=lambda e: (e.state != Escalation.State.ANSWERED, e.created_at, e.pk))
    return best, [e for e in live if e.pk != best.pk]


def _where(row: Message) -> str:
    return f"{row.folder.name}" if row.uid is not None else "removed from the server"


def _merge(rows: list[Message]) -> Merge:
    rows = list(Message.objects.select_for_update().filter(pk__in=[r.pk for r in rows]))
    rows.sort(key=lambda row: row.pk)
    plan = _plan(rows)
    kept, doubles = rows[0], rows[1:]
    best, extra = _escalations_kept(rows)
    for escalation in extra:
        escalation_close(
            escalation=escalation,
            by=None,
            cancel=True,
            reason=(
                f"The same mail as #{best.reference}: stored twice after another client "
                "moved it between folders."
            ),
        )
    for double in doubles:
        _take_over(kept, double)
    now = next((row for row in doubles if row.uid is not None), None)
    if now is not None:  # the mail is where the later row found it
        Message.objects.filter(pk=now.pk).update(uid=None)
        moved = {}
        if now.folder_id != kept.folder_id:
            moved = {"moved_at": now.created_at, "moved_from_id": kept.folder_id}
        Message.objects.filter(pk=kept.pk).update(
            folder_id=now.folder_id, uid=now.uid, is_seen=now.is_seen, flags=now.flags,
            removed_at=None, **moved,
        )  # fmt: skip
    conversations = set(
        BuyerMessage.objects.filter(message=kept).values_list("conversation", flat=True)
    )
    Message.objects.filter(pk__in=[d.pk for d in doubles]).delete()
    for conversation in Conversation.objects.filter(pk__in=conversations - {None}):
        conversation_settle(conversation)
    return plan


def _take_over(kept: Message, double: Message) -> None:
    """Everything that hangs on `double` moves onto `kept`."""
    Escalation.objects.filter(mail=double).update(mail=kept)
    Reply.objects.filter(message=double).update(message=kept)
    MailAction.objects.filter(message=double).update(message=kept)
    ours = BuyerMessage.objects.filter(message=kept).first()
    theirs = BuyerMessage.objects.filter(message=double).first()
    if theirs is None:
        return
    if ours is None:
        BuyerMessage.objects.filter(pk=theirs.pk).update(message=kept)
        return
    if theirs.answered_at and not ours.answered_at:
        ours.answered_at, ours.answered_by_reply_id = (
            theirs.answered_at,
            theirs.answered_by_reply_id,
        )
    if theirs.no_response_why and not ours.no_response_why:
        ours.no_response_by_id, ours.no_response_why = (
            theirs.no_response_by_id,
            theirs.no_response_why,
        )
    ours.save(
        update_fields=["answered_at", "answered_by_reply", "no_response_by", "no_response_why"]
    )
    theirs.delete()
