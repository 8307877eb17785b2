"""One fetched batch of new mail into the desk, in one transaction: the mail, its content
and attachments, the folder's new position, what each decision calls for and, for history,
its search entries. The sync (`inbox.sync`) fetches and parses; this stores."""

from django.db import transaction
from django.utils import timezone

from escalations.summaries import Draft
from inbox.classify import act_on_stored, decision, decision_reason, queue_actions
from inbox.mailstore import FetchedMail
from inbox.models import (
    Attachment,
    EmailRule,
    Folder,
    MailAction,
    MailKind,
    Message,
    MessageContent,
)
from inbox.parsing import ParsedMail
from inbox.search import document
from sellerdesk.bulkinsert import insert_rows

# The columns a new mail is stored with, in the order store_batch gives them.
MESSAGE_COLUMNS = [
    "kind", "rule", "rule_name", "classified_at", "mailbox", "folder", "origin", "uid",
    "message_id", "content_hash", "from_name", "from_address", "to", "cc", "subject", "date",
    "in_reply_to", "references", "size", "is_seen", "flags", "parse_problems", "is_history",
    "created_at", "acted_at",
]  # fmt: skip
CONTENT_COLUMNS = ["headers", "text", "html", "raw"]
ATTACHMENT_COLUMNS = ["message", "filename", "content_type", "size", "content", "part", "encoding"]


def store_batch(
    folder, fetched: list[tuple[FetchedMail, ParsedMail, object, Draft | None]], history,
    last_uid, ruleset, decided, indexer,
):  # fmt: skip
    """Store one fetched batch and the folder's new position, atomically, together with
    what each new mail's decision calls for (its move to Trash, its place in the reply
    queue, its escalation to the owner) and, for history, its search entries: a mail is
    stored, decided and acted on at once, or not at all.

    A mail the desk already knows is relocated instead of stored twice, keeping its decision
    and all that hangs on it: one without a location (a UIDVALIDITY resync, a restore whose
    new UID the server did not say, mail moved away and back by someone else) matched by its
    content hash, then its Message-ID; and one still located in another folder, matched by
    its content hash: another client moved it (Spam to Inbox, Inbox to Spam, back from
    Trash) and the pass has not yet looked at the folder it left.
    """
    uids = [mail.uid for mail, *_ in fetched]
    already = set(folder.messages.filter(uid__in=uids).values_list("uid", flat=True))
    parsed = [read for read in fetched if read[0].uid not in already]
    rules = {compiled.rule.key: compiled.rule for compiled in ruleset.compiled}
    with transaction.atomic():
        unlocated = Message.objects.filter(uid__isnull=True).order_by("pk")
        hashes = [p.content_hash for _, p, _, _ in parsed]
        ids = [p.message_id for _, p, _, _ in parsed if p.message_id]
        by_hash, by_id, elsewhere = {}, {}, {}
        for pk, mailbox_id, folder_id, content_hash in unlocated.filter(
            content_hash__in=hashes
        ).values_list("pk", "mailbox_id", "folder_id", "content_hash"):
            if mailbox_id == folder.mailbox_id:
                by_hash.setdefault(content_hash, (pk, folder_id))
        for pk, mailbox_id, folder_id, message_id in unlocated.filter(
            message_id__in=ids
        ).values_list("pk", "mailbox_id", "folder_id", "message_id"):
            if mailbox_id == folder.mailbox_id:
                by_id.setdefault(message_id, (pk, folder_id))
        located_elsewhere = (
            Message.objects.filter(
                mailbox_id=folder.mailbox_id, content_hash__in=hashes, uid__isnull=False
            )
            .exclude(folder_id=folder.pk)
            .order_by("pk")
        )
        for pk, folder_id, content_hash in located_elsewhere.values_list(
            "pk", "folder_id", "content_hash"
        ):
            elsewhere.setdefault(content_hash, (pk, folder_id))
        keys = {key for _, _, key, _ in parsed if key is not None}
        rule_rows = EmailRule.objects.in_bulk(list(keys)) if keys else {}
        rows, contents, attachments, documents = [], [], [], []
        relinked, now = 0, timezone.now()
        trash: dict[str, list[int]] = {}  # reason: positions in rows
        followed: list[tuple[int, Message, Draft | None]] = []  # the rest: where, the mail
        for mail, mime, rule_key, draft in parsed:
            seen, flags = "\\Seen" in mail.flags, " ".join(mail.flags)[:500]
            match = (
                by_hash.pop(mime.content_hash, None)
                or by_id.pop(mime.message_id, None)
                or elsewhere.pop(mime.content_hash, None)
            )
            if match is not None:
                pk, was_in = match
                moved = {} if was_in == folder.pk else {"moved_at": now, "moved_from_id": was_in}
                Message.objects.filter(pk=pk).update(
                    folder=folder, uid=mail.uid, is_seen=seen, flags=flags, removed_at=None,
                    **moved,
                )  # fmt: skip
                relinked += 1
                continue
            kind, rule = decision(rules.get(rule_key))  # matched as the mail was read
            decided[kind] = decided.get(kind, 0) + 1
            rows.append((
                str(kind), rule.key if rule else None, rule.name if rule else "", now,
                folder.mailbox_id, folder.pk, folder.pk, mail.uid, mime.message_id,
                mime.content_hash, mime.from_name, mime.from_address, mime.to, mime.cc,
                mime.subject, mime.date or mail.internaldate, mime.in_reply_to,
                mime.references, mime.size, seen, flags, "; ".join(mime.problems)[:2000],
                history, now, now,
            ))  # fmt: skip
            if kind == MailKind.TRASH:  # its move is queued with it, below
                trash.setdefault(decision_reason(rule.name if rule else "", None), []).append(
                    len(rows) - 1
                )
            else:
                stored = _as_stored(folder, mime, kind, rule_rows.get(rule.key) if rule else None,
                                    rows[-1])  # fmt: skip
                followed.append((len(rows) - 1, stored, draft))
            contents.append(
                (mime.headers, mime.text, mime.html, mail.raw if mime.unparsable else None)
            )
            if indexer is not None:
                documents.append(
                    document(mime.subject, mime.from_name, mime.from_address, mime.text)
                )
            attachments.append(mime.attachments)
        ids = insert_rows(Message, MESSAGE_COLUMNS, rows)
        # What a notice's decision calls for is known now: its move to Trash is queued in
        # the same transaction (each new mail counts as acted on as it is inserted).
        for reason, positions in trash.items():
            queue_actions(MailAction.Kind.TRASH, [ids[i] for i in positions], reason)
        insert_rows(
            MessageContent,
            ["message", *CONTENT_COLUMNS],
            [(pk, *content) for pk, content in zip(ids, contents, strict=True)],
        )
        insert_rows(
            Attachment,
            ATTACHMENT_COLUMNS,
            [
                (pk, a.filename, a.content_type, a.size, a.content, a.part, a.encoding)
                for pk, parts in zip(ids, attachments, strict=True)
                for a in parts
            ],
        )
        if indexer is not None:  # history: findable by search as soon as it is stored
            indexer.add(ids, documents)
        # What the other decisions call for (the reply queue, the owner) is queued in the
        # same transaction too, from the mail at hand: stored, decided and acted on at once.
        drafts = {}
        for position, message, draft in followed:
            message.pk = ids[position]
            if draft is not None:
                drafts[message.pk] = draft
        act_on_stored([message for _, message, _ in followed], drafts=drafts)
        folder.last_uid = max(folder.last_uid, last_uid)
        Folder.objects.filter(pk=folder.pk).update(
            last_uid=folder.last_uid, uidvalidity=folder.uidvalidity
        )
    unparsable = sum(1 for content in contents if content[-1] is not None)
    return ids, relinked, unparsable


def _as_stored(folder, mime: ParsedMail, kind, rule: EmailRule | None, row) -> Message:
    """The Message row just built, as an instance (with its text as its content) for the
    decision's followers; its id is set once the row is inserted."""
    values = dict(zip(MESSAGE_COLUMNS, row, strict=True))
    message = Message(
        kind=kind, rule_name=values["rule_name"], rule=rule, from_name=mime.from_name,
        from_address=mime.from_address, subject=mime.subject, date=values["date"],
        created_at=values["created_at"], is_seen=values["is_seen"],
        is_history=values["is_history"], mailbox=folder.mailbox, folder=folder,
    )  # fmt: skip
    # Cached on the mail's side only: assigning it would point the content back at the
    # mail, a cycle each that only the collector frees, with the mail's text in it.
    Message.content.related.set_cached_value(
        message, MessageContent(text=mime.text, headers=mime.headers)
    )
    return message
