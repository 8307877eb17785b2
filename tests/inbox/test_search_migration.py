"""Migration 0020 rebuilds SQLite's search index without its prefix indexes: every entry
is carried over, both ways, and a word is still found by its beginning, 2 letters too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inbox.models import Folder, Mailbox, Message, MessageContent
from inbox.selectors import message_page

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("inbox", "0019_mail_text_lz4")]


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def _table_sql() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'inbox_message_search'")
        return cursor.fetchone()[0]


def _found(search):
    return sorted(m.subject for m in message_page(folder="all", search=search))


def _mail(folder, n, subject, text, history=False):
    message = Message.objects.create(mailbox=folder.mailbox, folder=folder, uid=n,
                                     content_hash=f"h{n}", subject=subject,
                                     from_address=f"b{n}@example.com", is_history=history)  # fmt: skip
    MessageContent.objects.create(message=message, text=text)


def test_the_index_is_rebuilt_without_prefix_indexes_with_every_entry_kept():
    box = Mailbox.objects.create(name="m", host="h", port=1, use_ssl=False, username="u",
                                 password="p")  # fmt: skip
    inbox = Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
    _mail(inbox, 1, "Frage zur Lieferung", "Die Knoblauchpresse ist kaputt.")
    _mail(inbox, 2, "Sold, ship now: Garlic Press", "Order ID: 204-1183392-0077361")
    _mail(inbox, 3, "Заказ", "Где мой заказ? 注文番号 ありがとう")
    expected = {
        "knoblauchpresse": ["Frage zur Lieferung"],
        "kn": ["Frage zur Lieferung"],
        "ga pr": ["Sold, ship now: Garlic Press"],
        "118": ["Sold, ship now: Garlic Press"],
        "зак": ["Заказ"],
        "注文番号": ["Заказ"],
    }
    try:
        _migrate(BEFORE)
        if connection.vendor == "sqlite":
            assert "prefix = '2 3'" in _table_sql()
        before = {search: _found(search) for search in expected}
        _mail(inbox, 4, "Knob for the door", "")  # indexed by the triggers, as it comes

        _migrate()
        if connection.vendor == "sqlite":
            assert "prefix" not in _table_sql()
        assert before == expected
        expected["kn"] = ["Frage zur Lieferung", "Knob for the door"]
        assert {search: _found(search) for search in expected} == expected

        _migrate(BEFORE)  # and back, nothing lost either
        assert {search: _found(search) for search in expected} == expected
    finally:
        _migrate()
    _mail(inbox, 5, "Knack", "")
    assert _found("kn") == ["Frage zur Lieferung", "Knack", "Knob for the door"]
