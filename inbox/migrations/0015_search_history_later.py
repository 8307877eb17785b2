"""The mail that was in the mailbox before the desk (history) goes into the search index
after the first sync has stored it, not during it: the index's triggers skip it, and
`inbox.search.index_history()` (a worker task the sync queues) adds it. Mail the desk
receives afterwards is indexed as it is stored, as before. Mailboxes whose history was
imported already were indexed by migration 0014's triggers."""

from django.db import migrations, models

OLD_INSERT = """CREATE TRIGGER inbox_message_search_insert AFTER INSERT ON inbox_message BEGIN
    INSERT INTO inbox_message_search (rowid, head, body) VALUES (
        new.id, new.subject || ' ' || new.from_name || ' ' || new.from_address, '');
END"""

SQLITE = [
    ("DROP TRIGGER IF EXISTS inbox_message_search_insert", OLD_INSERT),
    (
        """CREATE TRIGGER inbox_message_search_insert AFTER INSERT ON inbox_message
        WHEN NOT new.is_history BEGIN
            INSERT INTO inbox_message_search (rowid, head, body) VALUES (
                new.id, new.subject || ' ' || new.from_name || ' ' || new.from_address, '');
        END""",
        "DROP TRIGGER IF EXISTS inbox_message_search_insert",
    ),
]

POSTGRESQL_HEAD = """CREATE OR REPLACE FUNCTION inbox_message_search_head() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM inbox_message_search WHERE message_id = OLD.id;
        ELSIF TG_OP = 'INSERT' THEN
            {skip}
            INSERT INTO inbox_message_search (message_id, head)
            VALUES (NEW.id, inbox_search_words(
                NEW.subject || ' ' || NEW.from_name || ' ' || NEW.from_address))
            ON CONFLICT (message_id) DO UPDATE
            SET head = EXCLUDED.head, body = ''::tsvector;
        ELSE
            UPDATE inbox_message_search SET head = inbox_search_words(
                NEW.subject || ' ' || NEW.from_name || ' ' || NEW.from_address)
            WHERE message_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$"""

POSTGRESQL = [
    (
        POSTGRESQL_HEAD.format(skip="IF NEW.is_history THEN RETURN NULL; END IF;"),
        POSTGRESQL_HEAD.format(skip=""),
    ),
]

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def forward(apps, schema_editor):
    for statement, _ in STATEMENTS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
    # Imported before this migration: indexed then.
    Mailbox = apps.get_model("inbox", "Mailbox")
    Mailbox.objects.filter(history_imported_at__isnull=False).update(
        history_indexed_at=models.F("history_imported_at")
    )


def backward(apps, schema_editor):
    for _, statement in reversed(STATEMENTS.get(schema_editor.connection.vendor, [])):
        schema_editor.execute(statement)
    # What is not indexed yet goes in now, as migration 0014's triggers would have put it.
    from inbox.search import index_history

    index_history(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0014_message_search")]

    operations = [
        migrations.AddField(
            model_name="mailbox",
            name="history_indexed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
