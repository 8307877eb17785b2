"""Rows inserted without a model instance per row come back as the ORM would write them,
with their ids in order, on SQLite and PostgreSQL alike."""

from datetime import UTC, datetime

import pytest

from inbox.models import Attachment, Folder, Mailbox, Message, MessageContent
from sellerdesk.bulkinsert import insert_rows

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
