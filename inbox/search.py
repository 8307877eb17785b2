"""Full-text mail search on the database's own index (migration 0014): FTS5 on SQLite, a
GIN-indexed tsvector on PostgreSQL. Words match by their beginning ("knob" finds
"Knoblauchpresse"); every word must match; the best matches come first."""

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import QuerySet

log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS, MAX_WORD = 8, 64
KEYS = {"inbox_message.id", "inbox_buyermessage.message_id"}
NO_MAIL = 2**63 - 1  # past the last id any mail can have


def search_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    return [w[:MAX_WORD] for w in _WORD.findall(text or "")][:limit]


# A word most mail holds matches most of the mailbox, and scoring every match is what costs.
# A search ranks only the newest WINDOW matches; the older ones follow, newest first. Both
# engines find where the window opens by walking the word's mail newest first.
WINDOW = 2000


@dataclass(frozen=True)
class _Match:
    table: str  # the index's table, joined to `key`
    column: str  # its column holding the mail's id
    where: str  # the match, one parameter: the query
    query: str
    rank: str  # lower is better; parameters: `rank_params`
    rank_params: tuple


def _match(text: str, any_word: bool) -> _Match | None:
    words = search_words(text, limit=4 * MAX_WORDS if any_word else MAX_WORDS)
    if not words:
        return None
    if connection.vendor == "postgresql":
        joiner, suffix = (" | ", "") if any_word else (" & ", ":*")
        query = joiner.join(f"{w}{suffix}" for w in words)
        match = "inbox_message_search.document @@ to_tsquery('simple', %s)"
        return _Match("inbox_message_search", "inbox_message_search.message_id", match, query,
                      "-ts_rank(inbox_message_search.document, to_tsquery('simple', %s))",
                      (query,))  # fmt: skip
    if connection.vendor == "sqlite":
        joiner, suffix = (" OR ", "") if any_word else (" ", "*")
        query = joiner.join(f'"{w}"{suffix}' for w in words)
        match = "inbox_message_search MATCH %s"
        return _Match("inbox_message_search", "inbox_message_search.rowid", match, query,
                      "inbox_message_search.rank", ())  # fmt: skip
    raise NotImplementedError(f"no full-text search on {connection.vendor}")


def _window_opens(match: _Match, window: int) -> tuple[str, list]:
    """SQL for the id of the `window`th newest matching mail (0 when fewer match): the
    index's table walked newest first, without scoring anything."""
    bare = match.column.split(".")[-1]
    newest = f"SELECT {bare} FROM {match.table} WHERE {match.where} ORDER BY {bare} DESC"  # noqa: S608
    return f"coalesce(({newest} LIMIT 1 OFFSET %s), 0)", [match.query, window - 1]


def ranked(
    rows: QuerySet,
    text: str,
    *,
    key: str = "inbox_message.id",
    any_word: bool = False,
    since_id: int = 0,
    window: int | None = None,
) -> QuerySet:
    """`rows` narrowed to those whose mail (`key`: the column holding its id) matches every
    word of `text` by its beginning, best first. `any_word`: whole words, any of them (for
    likeness rather than finding); `since_id`: only mail from that id on; `window`: only
    the newest that many matches (`older()` gives the rest)."""
    if key not in KEYS:
        raise ValueError(f"not a column holding a mail's id: {key}")
    match = _match(text, any_word)
    if match is None:
        return rows.none()
    # `since_id` bounds both sides of the join, so either can be read from its id index.
    where = [f"{match.column} = {key}", match.where, f"{match.column} >= %s", f"{key} >= %s"]
    params = [match.query, since_id, since_id]
    if window is not None:
        opens, opens_params = _window_opens(match, window)
        where.append(f"{match.column} >= {opens}")
        params += opens_params
    return rows.extra(  # noqa: S610 (the words are parameters, `key` a known column)
        tables=[match.table],
        where=where,
        params=params,
        select={"rank": match.rank},
        select_params=match.rank_params,
        order_by=["rank", f"-{key}"],
    )


def sharing_most(
    rows: QuerySet, text: str, *, key: str, newest: int, limit: int, fields: tuple[str, ...]
) -> list[tuple]:
    """`fields` of the `limit` rows, among the `newest` of `rows` (`key`: the column holding
    their mail's id), that hold any of the whole words of `text`: the most alike first, then
    the newest. PostgreSQL ranks them by ts_rank (`ranked()`); on SQLite each word is looked
    up in the index only from the window's oldest mail on, and a mail ranks by how many of
    the words it holds (FTS5's bm25 would first count the mail holding each word in all the
    history, whatever the window). One query on SQLite, two or three on PostgreSQL (the window's
    first id first)."""
    if key not in KEYS:
        raise ValueError(f"not a column holding a mail's id: {key}")
    field = key.split(".")[-1]
    by_age = rows.order_by(f"-{field}").values_list(field, flat=True)
    words = search_words(text, limit=4 * MAX_WORDS)
    if not words:
        return []
    if connection.vendor == "sqlite":
        among_sql, params = by_age[:newest].query.sql_with_params()
        each = (
            "SELECT rowid AS id FROM inbox_message_search "
            "WHERE inbox_message_search MATCH %s AND rowid >= (SELECT id FROM window_opens)"
        )
        alike = (
            f"among(id) AS MATERIALIZED ({among_sql}), "  # noqa: S608
            # No mail in the window: a window that opens past every mail, so no word is
            # looked up at all (0 would look each up in the whole mailbox).
            f"window_opens(id) AS MATERIALIZED (SELECT coalesce(min(id), {NO_MAIL}) FROM among), "
            "alike(id, place) AS MATERIALIZED (SELECT found.id, -count(*) "
            f"FROM ({' UNION ALL '.join([each] * len(words))}) found "
            "WHERE found.id IN (SELECT id FROM among) GROUP BY found.id "
            "ORDER BY count(*) DESC, found.id DESC LIMIT %s)"
        )
        params = [*params, *(f'"{w}"' for w in words), limit]
    else:
        # The window's first id as a number, for the planner to weigh: the oldest of the
        # newest `newest`, or of all when there are fewer; no row at all, nothing to find.
        since = (
            by_age[newest - 1 :].first()
            or rows.order_by(field).values_list(field, flat=True).first()
        )
        if since is None:
            return []
        found = ranked(rows, text, key=key, any_word=True, since_id=since)
        ranked_sql, params = found.values_list(field, "rank")[:limit].query.sql_with_params()
        alike = f"alike(id, place) AS MATERIALIZED ({ranked_sql})"
    # The rows themselves only for the best `limit`, not for every mail that matched.
    rows_sql, rows_params = (
        rows.order_by()
        .extra(where=[f"{key} IN (SELECT id FROM alike)"])  # noqa: S608, S610
        .values_list(field, *fields)
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {alike} SELECT found.* FROM ({rows_sql}) found "  # noqa: S608
            f"JOIN alike ON alike.id = found.{field} ORDER BY alike.place, alike.id DESC",
            [*params, *rows_params],
        )
        return [row[1:] for row in cursor.fetchall()]


def older(rows: QuerySet, text: str, *, window: int) -> QuerySet:
    """The mail of `rows` matching `text` like `ranked()` finds it, but older than its
    `window`: newest first, not ranked."""
    match = _match(text, any_word=False)
    if match is None:
        return rows.none()
    opens, opens_params = _window_opens(match, window)
    return rows.extra(  # noqa: S610 (the words are parameters)
        tables=[match.table],
        where=[f"{match.column} = inbox_message.id", match.where, f"{match.column} < {opens}"],
        params=[match.query, *opens_params],
        select={"newest": match.column},
        order_by=["-newest"],
    )


def found_ids(rows: QuerySet, text: str, *, start: int, count: int) -> list[int]:
    """Ids of the mail of `rows` matching every word of `text`, from the `start`th, at most
    `count`: the best of the newest WINDOW matches first, then the older ones newest first.
    One query, whatever the number of matches, scoring no more than WINDOW of them."""
    end = start + count
    first = ranked(rows, text, window=WINDOW).values_list("id", "rank")[:end]
    rest = older(rows, text, window=WINDOW).values_list("id", "newest")[:end]
    if not first.query.extra:  # no word to search for
        return []
    first_sql, first_params = first.query.sql_with_params()
    rest_sql, rest_params = rest.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 0 AS part, f.id, f.rank AS place FROM ({first_sql}) f "  # noqa: S608
            f"UNION ALL SELECT 1, o.id, -o.newest FROM ({rest_sql}) o "
            "ORDER BY part, place, id DESC LIMIT %s OFFSET %s",
            [*first_params, *rest_params, count, start],
        )
        return [pk for _, pk, _ in cursor.fetchall()]


@dataclass
class SearchPage:
    """A page of search results that never counts every match: it looks one row ahead to
    know whether there is a next page. Quacks like a Paginator page for the template."""

    object_list: list
    number: int
    has_next_page: bool
    paginator: None = field(default=None)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.has_next_page

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


# --- History into the index -------------------------------------------------------------

HISTORY_CHUNK = 1000

_MISSING = {
    "sqlite": "NOT EXISTS (SELECT 1 FROM inbox_message_search s WHERE s.rowid = m.id)",
    "postgresql": "NOT EXISTS (SELECT 1 FROM inbox_message_search s WHERE s.message_id = m.id)",
}
_INDEX = {
    "sqlite": """INSERT INTO inbox_message_search (rowid, head, body)
        SELECT m.id, m.subject || ' ' || m.from_name || ' ' || m.from_address,
               coalesce(substr(c.text, 1, 100000), '')
        FROM inbox_message m LEFT JOIN inbox_messagecontent c ON c.message_id = m.id
        WHERE m.id IN ({ids}) AND {missing}""",
    "postgresql": """INSERT INTO inbox_message_search (message_id, head, body)
        SELECT m.id,
               inbox_search_words(m.subject || ' ' || m.from_name || ' ' || m.from_address),
               inbox_search_words(c.text)
        FROM inbox_message m LEFT JOIN inbox_messagecontent c ON c.message_id = m.id
        WHERE m.id IN ({ids}) AND {missing}
        ON CONFLICT (message_id) DO NOTHING""",
}


def index_history(*, connection=connection, chunk: int = HISTORY_CHUNK) -> int:
    """Put the history mail not yet in the search index into it, `chunk` mails per
    transaction, oldest first; how many went in. Safe to run twice at once (a mail already
    in is skipped in the same statement) and to stop part-way (the next run goes on)."""
    vendor = connection.vendor
    if vendor not in _INDEX:
        raise NotImplementedError(f"no full-text search on {vendor}")
    missing, done, after = _MISSING[vendor], 0, 0
    while True:
        # Found by a read, outside any transaction: the write lock is taken only for the
        # insert, which checks again that each mail is still missing.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.id FROM inbox_message m WHERE m.is_history AND m.id > %s "  # noqa: S608
                f"AND {missing} ORDER BY m.id LIMIT %s",
                [after, chunk],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        if not ids:
            return done
        with transaction.atomic(using=connection.alias):
            done += index_mail(ids, connection=connection)
        after = ids[-1]


def index_mail(ids: list[int], *, connection=connection) -> int:
    """Put these stored mails into the search index, those not in it yet; how many went in.
    The first sync calls it for each batch of history, in the batch's transaction."""
    if not ids:
        return 0
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(
            _INDEX[vendor].format(ids=", ".join(["%s"] * len(ids)), missing=_MISSING[vendor]),
            ids,
        )
        return max(cursor.rowcount, 0)


BODY_LIMIT = 100000  # characters of a mail's text that go into the index (as _INDEX cuts)


def document(subject: str, from_name: str, from_address: str, text: str) -> tuple[str, str]:
    """A mail's words as the index holds them (head, body): what _INDEX reads back."""
    return f"{subject} {from_name} {from_address}", (text or "")[:BODY_LIMIT]


def index_documents(rows: list[tuple[int, str, str]]) -> int:
    """Put mail just stored into the SQLite index from its words at hand (id, head, body:
    `document()`), instead of reading its text back; how many went in. Only for mail
    that is not in the index (new ids, in the transaction that stored them)."""
    if not rows:
        return 0
    with connection.cursor() as cursor:  # one statement: not one step of the database a row
        cursor.execute(
            "INSERT INTO inbox_message_search (rowid, head, body) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s)"] * len(rows)),
            [value for row in rows for value in row],
        )
    return len(rows)


def history_unindexed(mailbox_id: int) -> bool:
    """Whether some of the mailbox's history mail is not in the search index yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM inbox_message m WHERE m.mailbox_id = %s AND m.is_history "  # noqa: S608
            f"AND {_MISSING[connection.vendor]} LIMIT 1",
            [mailbox_id],
        )
        return cursor.fetchone() is not None


BESIDE_FROM = 500  # mails in one folder's pass before PostgreSQL indexes them beside it


class HistoryIndexer:
    """The first sync's history into the search index, batch by batch, as it is stored.

    `add(ids, documents)` is called in the transaction that stores the batch. On
    PostgreSQL, once a pass has enough mail (`expect(n)`), each batch is indexed after it
    commits, on a thread with its own database connection: the database's word-splitting
    then runs beside the sync's own work instead of in its way. Otherwise (SQLite has one
    writer at a time; a small pass is not worth a thread) the batch is indexed in its
    transaction; on SQLite from the `documents` at hand (`document()` of each mail).
    What a failure leaves out is still missing afterwards, and `history_unindexed` says so.
    """

    def __init__(self, *, beside_from: int | None = None):
        self.beside_from = BESIDE_FROM if beside_from is None else beside_from
        self._pool: ThreadPoolExecutor | None = None
        self._pending = []

    def __enter__(self) -> "HistoryIndexer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def expect(self, count: int) -> None:
        if self._pool is None and count >= self.beside_from and connection.vendor == "postgresql":
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-index")

    def add(self, ids: list[int], documents: list[tuple[str, str]]) -> None:
        if self._pool is None:
            if connection.vendor == "sqlite":
                index_documents([(pk, *doc) for pk, doc in zip(ids, documents, strict=True)])
            else:
                index_mail(ids)
            return
        pool = self._pool
        transaction.on_commit(lambda: self._pending.append(pool.submit(_index_beside, ids)))

    def close(self) -> None:
        """Wait for the batches indexed beside the sync."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        pending, self._pending = self._pending, []
        for future in pending:
            try:
                future.result()
            except DatabaseError as exc:  # left out: the worker indexes it
                log.warning("A batch of mail was not put into search: %s", exc)
        pool.submit(connections.close_all)
        pool.shutdown(wait=True)


def _index_beside(ids: list[int]) -> int:
    with transaction.atomic():
        return index_mail(ids)
