"""Full-text mail search on the database's own index (migration 0012): FTS5 on SQLite, a
GIN-indexed tsvector on PostgreSQL. Words match by their beginning ("knob" finds
"Knoblauchpresse"); every word must match; the best matches come first."""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_WORDS, MAX_WORD = 8, 64


def search_words(text: str) -> list[str]:
    return [w[:MAX_WORD] for w in _WORD.findall(text or "")][:MAX_WORDS]


def ranked(messages: QuerySet, text: str) -> QuerySet:
    """`messages` narrowed to those matching every word of `text`, best first."""
    words = search_words(text)
    if not words:
        return messages.none()
    if connection.vendor == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        return messages.extra(
            tables=["inbox_message_search"],
            where=[
                "inbox_message_search.message_id = inbox_message.id",
                "inbox_message_search.document @@ to_tsquery('simple', %s)",
            ],
            params=[query],
            select={"rank": "ts_rank(inbox_message_search.document, to_tsquery('simple', %s))"},
            select_params=[query],
            order_by=["-rank", "-id"],
        )
    if connection.vendor == "sqlite":
        query = " ".join(f'"{w}"*' for w in words)
        return messages.extra(
            tables=["inbox_message_search"],
            where=[
                "inbox_message_search.rowid = inbox_message.id",
                "inbox_message_search MATCH %s",
            ],
            params=[query],
            select={"rank": "inbox_message_search.rank"},
            order_by=["rank", "-id"],
        )
    # Another engine: a scan, slow but right.
    for word in words:
        messages = messages.filter(content__text__icontains=word)
    return messages.order_by("-date", "-id")


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
