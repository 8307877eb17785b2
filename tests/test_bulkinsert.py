"""Rows inserted without a model instance per row come back as the ORM would write them,
with their ids in order, on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime

import pytest

from inbox.models import Attachment, Folder, Mailbox, Message, MessageContent
from sellerdesk.bulkinsert import insert_rows, update_rows

pytestmark = pytest.mark.django_db


def test_rows_come_back_as_written_with_their_ids_in_order():
    box = Mailbox.objects.create(name="m", host="h", username="u")
    folder = Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
    when = datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC)
    columns = ["mailbox", "folder", "uid", "content_hash", "subject", "date", "is_seen",
               "created_at"]  # fmt: skip
    rows = [
        (box.pk, folder.pk, n, f"h{n}", f"Subject {n} ünïcode", when, n % 2 == 0, when)
        for n in range(1500)
    ]  # fmt: skip  (more than one statement's worth)
    ids = insert_rows(Message, columns, rows)
    assert len(ids) == len(set(ids)) == 1500
    stored = {m.pk: m for m in Message.objects.all()}
    for pk, (_, _, uid, _, subject, date, seen, _) in zip(ids, rows, strict=True):
        message = stored[pk]
        assert (message.uid, message.subject, message.date, message.is_seen) == (
            uid, subject, date, seen
        )  # fmt: skip

    parts = [(ids[0], "a.pdf", "application/pdf", 3, b"\x00\x01\xff", "2", "base64"),
             (ids[1], "big.pdf", "application/pdf", 10**8, None, "3", "")]  # fmt: skip
    columns = ["message", "filename", "content_type", "size", "content", "part", "encoding"]
    attachment_ids = insert_rows(Attachment, columns, parts)
    first, second = (Attachment.objects.get(pk=pk) for pk in attachment_ids)
    assert (first.message_id, bytes(first.content), second.content) == (
        ids[0], b"\x00\x01\xff", None
    )  # fmt: skip

    # A table whose primary key is given in the rows (one-to-one): those are the ids.
    texts = [(pk, "héllo\tworld\n\\ end", "") for pk in ids[:3]]
    assert insert_rows(MessageContent, ["message", "text", "html"], texts) == ids[:3]
    assert MessageContent.objects.get(pk=ids[1]).text == "héllo\tworld\n\\ end"


def test_nothing_to_insert_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Message, ["uid"], []) == []


def _messages(box, folder, count, start=0):
    return [(box.pk, folder.pk, start + n, f"h{start + n}") for n in range(count)]


def test_ids_go_on_past_every_row_there_ever_was():
    """A row deleted from the end leaves its id spent: the next rows come after it (SQLite's
    AUTOINCREMENT, PostgreSQL's sequence), and the ORM's next row after those."""
    box = Mailbox.objects.create(name="m", host="h", username="u")
    folder = Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
    columns = ["mailbox", "folder", "uid", "content_hash"]
    first = insert_rows(Message, columns, _messages(box, folder, 3))
    Message.objects.filter(pk=first[-1]).delete()
    second = insert_rows(Message, columns, _messages(box, folder, 2, start=3))
    assert second == [second[0], second[0] + 1] and second[0] > first[-1]
    after = Message.objects.create(mailbox=box, folder=folder, uid=9, content_hash="x")
    assert after.pk > second[-1]


@pytest.mark.django_db(transaction=True)
def test_ids_are_right_inside_a_transaction_and_outside_one():
    from django.db import transaction

    box = Mailbox.objects.create(name="m", host="h", username="u")
    folder = Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
    columns = ["mailbox", "folder", "uid", "content_hash"]
    outside = insert_rows(Message, columns, _messages(box, folder, 3))
    with transaction.atomic():
        inside = insert_rows(Message, columns, _messages(box, folder, 3, start=3))
    ids = outside + inside
    assert len(set(ids)) == 6
    stored = dict(Message.objects.values_list("pk", "uid"))
    assert [stored[pk] for pk in ids] == list(range(6))


def test_fields_of_many_rows_are_written_back_each_its_own_null_too():
    """One statement for a chunk of moved or marked mail: each mail gets its own folder and
    UID, and a UID the server did not say (no UIDPLUS, no Message-ID) is written as none."""
    desk_mailbox = Mailbox.objects.create(name="w", host="h", username="u")
    inbox = Folder.objects.create(mailbox=desk_mailbox, role=Folder.Role.INBOX, name="INBOX")
    trash = Folder.objects.create(mailbox=desk_mailbox, role=Folder.Role.TRASH, name="Trash")
    mails = [
        Message.objects.create(mailbox=desk_mailbox, folder=inbox, uid=n, content_hash=f"w{n}")
        for n in (1, 2, 3)
    ]
    untouched = Message.objects.create(mailbox=desk_mailbox, folder=inbox, uid=4,
                                       content_hash="w4")  # fmt: skip
    for message, uid in zip(mails, (70, None, 71), strict=True):
        message.folder, message.uid = trash, uid
    update_rows(Message, ["folder", "uid"], mails)
    stored = dict(Message.objects.values_list("content_hash", "folder_id"))
    assert stored == {"w1": trash.pk, "w2": trash.pk, "w3": trash.pk, "w4": inbox.pk}
    assert dict(Message.objects.values_list("content_hash", "uid")) == {
        "w1": 70, "w2": None, "w3": 71, "w4": 4,
    }  # fmt: skip
    mails[0].is_seen = True
    update_rows(Message, ["is_seen"], mails[:2])
    assert list(Message.objects.filter(is_seen=True).values_list("content_hash", flat=True)) == [
        "w1"
    ]
    untouched.refresh_from_db()
    assert (untouched.folder_id, untouched.uid, untouched.is_seen) == (inbox.pk, 4, False)
