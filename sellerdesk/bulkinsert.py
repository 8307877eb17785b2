"""Many rows into one table without a model instance per row, and fields of many rows
changed in one go (`update_rows`).

`bulk_create` prepares every value of every object through the query compiler: on a first
sync of ten thousand mails that is a large share of the time. Here the statement is built
once per batch size and each row is a tuple; only the column types whose database form
differs from the Python value (dates and times, bytes) are converted. On SQLite, inside a
transaction (which holds the write lock from its start), the ids are given with the rows;
outside one, they come back in order (RETURNING, on SQLite 3.35+).

On PostgreSQL the rows go in by COPY, with ids taken from the table's sequence first: a
multi-row INSERT of thousands of placeholders is split by the driver in Python on every
call (too long for its statement cache), which cost more than the insert itself.
"""

from django.db import connection
from django.db.models import BinaryField, DateField, DecimalField, JSONField, Model

_CONVERTED = (DateField, BinaryField, DecimalField, JSONField)  # DateTimeField is a DateField


def _converter(field):
    """The field's database form of a value; dates and times remembered, since a batch
    mostly repeats one (the time it was stored)."""
    if not isinstance(field, DateField):
        return lambda value: field.get_db_prep_save(value, connection)
    seen = {}

    def convert(value):
        if value not in seen:
            seen[value] = field.get_db_prep_save(value, connection)
        return seen[value]

    return convert


def insert_rows(model: type[Model], columns: list[str], rows: list[tuple]) -> list[int]:
    """Insert `rows` (values in the order of `columns`, field names) into `model`'s table;
    returns the new primary keys in the order of `rows`. A column left out that cannot be
    NULL gets its field's default, as a model instance would."""
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in columns]
    given = {f.name for f in fields}
    defaulted = [
        f for f in model._meta.concrete_fields
        if f.name not in given and not f.null and not (f.primary_key and f.auto_created)
        and not getattr(f, "db_returning", False)
    ]  # fmt: skip
    if defaulted:
        fields += defaulted
        rows = [(*row, *(f.get_default() for f in defaulted)) for row in rows]
    if not connection.features.can_return_rows_from_bulk_insert:
        objs = model._default_manager.bulk_create(
            model(**{f.attname: v for f, v in zip(fields, row, strict=True)}) for row in rows
        )
        return [obj.pk for obj in objs]
    convert = [(i, _converter(f)) for i, f in enumerate(fields) if isinstance(f, _CONVERTED)]
    if convert:
        rows = [_converted(row, convert) for row in rows]
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, rows)
    quote = connection.ops.quote_name
    size = max(1, connection.ops.bulk_batch_size(fields, rows))
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 (names quoted, values params)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = model._meta.pk
    if pk in fields:  # the rows carry their ids (a one-to-one primary key)
        ids, returning = [row[fields.index(pk)] for row in rows], ""
    elif connection.in_atomic_block:
        # The write lock is held (BEGIN IMMEDIATE): the ids are the next ones, given here,
        # so the database hands nothing back row by row.
        ids, returning = _next_ids(model, len(rows)), ""
        head = f"INSERT INTO {table} ({quote(pk.column)}, {names}) VALUES "  # noqa: S608
        one = "(%s, " + one[1:]
        rows = [(pk_value, *row) for pk_value, row in zip(ids, rows, strict=True)]
    else:
        ids, returning = [], f" RETURNING {quote(pk.column)}"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [value for row in batch for value in row]
            cursor.execute(head + ", ".join([one] * len(batch)) + returning, params)
            if returning:
                ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def update_rows(model: type[Model], fields: list[str], objs: list[Model]) -> None:
    """Save `fields` (names) of every one of `objs` as they hold them: on PostgreSQL in one
    statement (the new values as arrays, joined by primary key), on SQLite by one prepared
    statement run per row. A thousand rows cost one round trip, not one each, nor
    bulk_update's CASE over every row."""
    if not objs:
        return
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), model._meta.pk
    changed = [model._meta.get_field(name) for name in fields]
    columns = [quote(f.column) for f in changed]
    values = [[getattr(obj, f.attname) for obj in objs] for f in changed]
    keys = [obj.pk for obj in objs]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk, *changed])
            names = ", ".join(f"v{i}" for i in range(len(columns)))
            assignments = ", ".join(f"{c} = v.v{i}" for i, c in enumerate(columns))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM unnest({arrays}) "  # noqa: S608
                f"AS v(k, {names}) WHERE {table}.{quote(pk.column)} = v.k",
                [keys, *values],
            )
            return
        assignments = ", ".join(f"{c} = %s" for c in columns)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s",  # noqa: S608
            [[*row, key] for *row, key in zip(*values, keys, strict=True)],
        )


def _next_ids(model: type[Model], count: int) -> list[int]:
    """SQLite: the `count` ids the table's next rows get (AUTOINCREMENT: past both the
    highest id there is and the highest there ever was)."""
    table, column = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT max(coalesce((SELECT max({quote(column)}) FROM {quote(table)}), 0), "  # noqa: S608
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


def _converted(row: tuple, convert) -> tuple:
    row = list(row)
    for i, prepare in convert:
        row[i] = prepare(row[i])
    return tuple(row)


def _copy_rows(model: type[Model], fields, rows: list[tuple]) -> list[int]:
    """PostgreSQL: ids from the table's sequence (unless the rows carry their primary key),
    then the rows by COPY, one round trip each, in the caller's transaction."""
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk
    with connection.cursor() as cursor:
        if pk in fields:  # e.g. a one-to-one primary key: the rows hold their ids
            at = fields.index(pk)
            ids = [row[at] for row in rows]
        else:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), pk.column, len(rows)],
            )
            ids = sorted(value for (value,) in cursor.fetchall())
            fields = [pk, *fields]
            rows = [(value, *row) for value, row in zip(ids, rows, strict=True)]
        names = ", ".join(quote(f.column) for f in fields)
        types = _binary_types(cursor.cursor.connection, fields)
        binary = " (FORMAT BINARY)" if types else ""
        with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN{binary}") as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    return ids


def _binary_types(pg_connection, fields) -> list[str] | None:
    """The columns' type names for a binary COPY (bytes go as they are, not as hex text to
    be parsed back); None when the driver does not know one of them: then text COPY."""
    registry, names = pg_connection.adapters.types, []
    for field in fields:
        target = field.target_field if field.is_relation else None
        name = target.rel_db_type(connection) if target else field.db_type(connection)
        name = (name or "").split("(")[0].strip()
        if registry.get(name) is None:
            return None
        names.append(name)
    return names
