"""SQLite: the search index without FTS5's prefix indexes. They kept every word three times
(whole, and by its first 2 and 3 letters), and a first sync puts thousands of mails into
the index in the transaction that stores them. A word is still found by its beginning:
FTS5 reads the index's words that start so. Only searches whose last word has 2 or 3
letters read more of the index (milliseconds on 100,000 mails). The entries are carried
over as they are; the triggers of migrations 0014 and 0015 write to the table by name and
are unchanged."""

from django.db import migrations

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"


def _rebuild(schema_editor, options: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    # Kept by id (the temporary table's row key), so the entries go back in id order
    # without a sort of the whole index's text.
    for statement in (
        "CREATE TEMP TABLE inbox_message_search_kept (id INTEGER PRIMARY KEY, head, body)",
        "INSERT INTO inbox_message_search_kept (id, head, body) "
        "SELECT rowid, head, body FROM inbox_message_search",
        "DROP TABLE inbox_message_search",
        f"CREATE VIRTUAL TABLE inbox_message_search USING fts5(head, body, {options})",
        "INSERT INTO inbox_message_search (rowid, head, body) "
        "SELECT id, head, body FROM inbox_message_search_kept ORDER BY id",
        "DROP TABLE inbox_message_search_kept",
    ):
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    _rebuild(schema_editor, TOKENIZE)


def backward(apps, schema_editor):
    _rebuild(schema_editor, f"{TOKENIZE}, prefix = '2 3'")


class Migration(migrations.Migration):
    dependencies = [("inbox", "0019_mail_text_lz4")]

    operations = [migrations.RunPython(forward, backward)]
