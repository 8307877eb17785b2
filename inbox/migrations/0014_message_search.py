"""Full-text search over stored mail, on the engine's own index: an FTS5 table on SQLite, a
GIN-indexed tsvector table on PostgreSQL. Triggers keep it in step with the mail's subject,
sender and text, so nothing in the app writes to it."""

from django.db import migrations

SQLITE = [
    (
        """CREATE VIRTUAL TABLE inbox_message_search USING fts5(
            head, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')""",
        "DROP TABLE IF EXISTS inbox_message_search",
    ),
    (
        """CREATE TRIGGER inbox_message_search_insert AFTER INSERT ON inbox_message BEGIN
            INSERT INTO inbox_message_search (rowid, head, body) VALUES (
                new.id, new.subject || ' ' || new.from_name || ' ' || new.from_address, '');
        END""",
        "DROP TRIGGER IF EXISTS inbox_message_search_insert",
    ),
    (
        """CREATE TRIGGER inbox_message_search_update
        AFTER UPDATE OF subject, from_name, from_address ON inbox_message BEGIN
            UPDATE inbox_message_search
            SET head = new.subject || ' ' || new.from_name || ' ' || new.from_address
            WHERE rowid = new.id;
        END""",
        "DROP TRIGGER IF EXISTS inbox_message_search_update",
    ),
    (
        """CREATE TRIGGER inbox_message_search_delete AFTER DELETE ON inbox_message BEGIN
            DELETE FROM inbox_message_search WHERE rowid = old.id;
        END""",
        "DROP TRIGGER IF EXISTS inbox_message_search_delete",
    ),
    (
        """CREATE TRIGGER inbox_message_search_text
        AFTER INSERT ON inbox_messagecontent BEGIN
            UPDATE inbox_message_search SET body = substr(new.text, 1, 100000)
            WHERE rowid = new.message_id;
        END""",
        "DROP TRIGGER IF EXISTS inbox_message_search_text",
    ),
    (
        """CREATE TRIGGER inbox_message_search_text_changed
        AFTER UPDATE OF text ON inbox_messagecontent BEGIN
            UPDATE inbox_message_search SET body = substr(new.text, 1, 100000)
            WHERE rowid = new.message_id;
        END""",
        "DROP TRIGGER IF EXISTS inbox_message_search_text_changed",
    ),
    (
        """INSERT INTO inbox_message_search (rowid, head, body)
        SELECT m.id, m.subject || ' ' || m.from_name || ' ' || m.from_address,
               coalesce(substr(c.text, 1, 100000), '')
        FROM inbox_message m LEFT JOIN inbox_messagecontent c ON c.message_id = m.id""",
        "",
    ),
]

POSTGRESQL = [
    (
        # Hyphens, @ and dots split order ids and addresses into words one can search for.
        """CREATE FUNCTION inbox_search_words(value text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE AS $$
            SELECT to_tsvector('simple'::regconfig,
                               translate(left(coalesce(value, ''), 100000), '-@._', '    '))
        $$""",
        "DROP FUNCTION IF EXISTS inbox_search_words(text)",
    ),
    (
        """CREATE TABLE inbox_message_search (
            message_id bigint PRIMARY KEY,
            head tsvector NOT NULL DEFAULT ''::tsvector,
            body tsvector NOT NULL DEFAULT ''::tsvector,
            document tsvector GENERATED ALWAYS AS (setweight(head, 'A') || body) STORED
        )""",
        "DROP TABLE IF EXISTS inbox_message_search",
    ),
    (
        "CREATE INDEX inbox_message_search_document ON inbox_message_search USING gin (document)",
        "",
    ),
    (
        """CREATE FUNCTION inbox_message_search_head() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM inbox_message_search WHERE message_id = OLD.id;
            ELSIF TG_OP = 'INSERT' THEN
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
        $$""",
        "DROP FUNCTION IF EXISTS inbox_message_search_head() CASCADE",
    ),
    (
        """CREATE TRIGGER inbox_message_search_head
        AFTER INSERT OR DELETE OR UPDATE OF subject, from_name, from_address ON inbox_message
        FOR EACH ROW EXECUTE FUNCTION inbox_message_search_head()""",
        "",
    ),
    (
        """CREATE FUNCTION inbox_message_search_body() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE inbox_message_search SET body = inbox_search_words(NEW.text)
            WHERE message_id = NEW.message_id;
            RETURN NULL;
        END
        $$""",
        "DROP FUNCTION IF EXISTS inbox_message_search_body() CASCADE",
    ),
    (
        """CREATE TRIGGER inbox_message_search_body
        AFTER INSERT OR UPDATE OF text ON inbox_messagecontent
        FOR EACH ROW EXECUTE FUNCTION inbox_message_search_body()""",
        "",
    ),
    (
        """INSERT INTO inbox_message_search (message_id, head, body)
        SELECT m.id, inbox_search_words(m.subject || ' ' || m.from_name || ' ' || m.from_address),
               inbox_search_words(c.text)
        FROM inbox_message m LEFT JOIN inbox_messagecontent c ON c.message_id = m.id""",
        "",
    ),
]

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def create(apps, schema_editor):
    for forward, _ in STATEMENTS.get(schema_editor.connection.vendor, []):
        schema_editor.execute(forward)


def drop(apps, schema_editor):
    for _, backward in reversed(STATEMENTS.get(schema_editor.connection.vendor, [])):
        if backward:
            schema_editor.execute(backward)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0013_seed_urgent_amazon_rule")]

    operations = [migrations.RunPython(create, drop)]
