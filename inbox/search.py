"""Full-text mail search on the database's own index (migration 0012): FTS5 on SQLite, a
GIN-indexed tsvector on PostgreSQL. Words match by their beginning ("knob" finds
"Knoblauchpresse"); every word must match; the best matches come first."""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS, MAX_WORD = 8, 64
KEYS = {"inbox_message.id", "inbox_buyermessage.message_id"}


def search_words(text: str, limit: int = MAX_WORDS) -> list[str]:
    return [w[:MAX_WORD] for w in _WORD.findall(text or "")][:limit]


def ranked(
    rows: QuerySet,
    text: str,
    *,
    key: str = "inbox_message.id",
    any_word: bool = False,
    since_id: int = 0,
) -> QuerySet:
    """`rows` narrowed to those whose mail (`key`: the column holding its id) matches every
    word of `text` by its beginning, best first. `any_word`: whole words, any of them (for
    likeness rather than finding); `since_id`: only mail from that id on."""
    if key not in KEYS:
        raise ValueError(f"not a column holding a mail's id: {key}")
    words = search_words(text, limit=4 * MAX_WORDS if any_word else MAX_WORDS)
    if not words:
        return rows.none()
    if connection.vendor == "postgresql":
        joiner, suffix = (" | ", "") if any_word else (" & ", ":*")
        query = joiner.join(f"{w}{suffix}" for w in words)
        return rows.extra(  # noqa: S610 (the words are parameters, `key` a known column)
            tables=["inbox_message_search"],
            where=[
                f"inbox_message_search.message_id = {key}",
                "inbox_message_search.document @@ to_tsquery('simple', %s)",
                "inbox_message_search.message_id >= %s",
            ],
            params=[query, since_id],
            select={"rank": "ts_rank(inbox_message_search.document, to_tsquery('simple', %s))"},
            select_params=[query],
            order_by=["-rank", f"-{key}"],
        )
    if connection.vendor == "sqlite":
        joiner, suffix = (" OR ", "") if any_word else (" ", "*")
        query = joiner.join(f'"{w}"{suffix}' for w in words)
        return rows.extra(  # noqa: S610 (the words are parameters, `key` a known column)
            tables=["inbox_message_search"],
            where=[
                f"inbox_message_search.rowid = {key}",
                "inbox_message_search MATCH %s",
                "inbox_message_search.rowid >= %s",
            ],
            params=[query, since_id],
            select={"rank": "inbox_message_search.rank"},
            order_by=["rank", f"-{key}"],
        )
    raise NotImplementedError(f"no full-text search on {connection.vendor}")


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
