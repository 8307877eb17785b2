"""Many rows into one table without a model instance per row.

`bulk_create` prepares every value of every object through the query compiler: on a first
sync of ten thousand mails that is a large share of the time. Here the statement is built
once per batch size and each row is a tuple; only the column types whose database form
differs from the Python value (dates and times, bytes) are converted. The rows get their
ids back in order (RETURNING, on SQLite 3.35+ and PostgreSQL).
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
    quote = connection.ops.quote_name
    size = max(1, connection.ops.bulk_batch_size(fields, rows))
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 (names quoted, values params)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = f" RETURNING {quote(model._meta.pk.column)}"
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = []
            for row in batch:
                if convert:
                    row = list(row)
                    for i, prepare in convert:
                        row[i] = prepare(row[i])
                params.extend(row)
            cursor.execute(head + ", ".join([one] * len(batch)) + returning, params)
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids
