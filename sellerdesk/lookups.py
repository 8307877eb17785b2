"""`field__folded="müller"`: contains, ignoring case in every script. PostgreSQL's
`icontains` (UPPER ... LIKE UPPER ...) already folds Cyrillic, Greek and the rest; SQLite's
LIKE folds only ASCII, so there both sides go through Python's `str.casefold` first
("MÜLLER" finds "Müller", "ИВАН" finds "Иван", "STRASSE" finds "Straße")."""

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField
from django.db.models.lookups import IContains

FOLD = "sellerdesk_casefold"


def _fold(value):
    return value.casefold() if isinstance(value, str) else value


class Folded(IContains):
    lookup_name = "folded"

    def as_sql(self, compiler, connection):
        return compiler.compile(IContains(self.lhs, self.rhs))

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{FOLD}({lhs}) LIKE {FOLD}({rhs}) ESCAPE '\\'", [*lhs_params, *rhs_params]


def _on_connect(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD, 1, _fold, deterministic=True)


def install() -> None:
    CharField.register_lookup(Folded)
    TextField.register_lookup(Folded)
    connection_created.connect(_on_connect, dispatch_uid="sellerdesk-casefold")
