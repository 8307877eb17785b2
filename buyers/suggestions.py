"""Answer memory: earlier answers to questions like the one a buyer asks now.

Working them out searches the history (a few milliseconds, whatever its size). What was
offered is kept for each conversation (`OfferedAnswers`) with a digest of what it was drawn
from: the page reads it back while nothing changed, and works it out again once the question
changed, the owner answered, or FRESH_FOR passed. Answers sent since it was kept are weighed
against what is kept (each answer is scored on its own, so the best of the kept and the new
is the best of all), which is a read of those few answers: the page the assistant opens
right after sending a reply does not search the history again. The worker works them out
again for the waiting conversations after each change (`refresh_soon`), held or not: an
older reply accepted after a newer one moves no mark."""

import hashlib
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from buyers.models import BuyerMessage, Conversation, OfferedAnswers, Reply
from buyers.selectors import answers_mark, unanswered_text
from escalations.selectors import ACTED_ON, owner_answers, owner_answers_mark
from inbox.search import sharing_most

# Earlier buyer questions are found through the mail's full-text index, among the newest
# RECENT answered ones, and only the CANDIDATES most alike by the index are compared word
# for word: working them out costs the same with fifty thousand answered messages as with
# fifty.
RECENT, CANDIDATES, OWNER_ANSWERS = 2000, 60, 300
# What is kept is worked out again after this long even when nothing it was drawn from
# moved (an answer edited or deleted in admin does not move the marks).
FRESH_FOR = timedelta(hours=1)
# The waiting conversations worked out ahead after a change, the soonest due first.
REFRESH_AT_MOST = 50
# More answers than this sent since the kept ones were worked out: work them out afresh.
TOP_UP_AT_MOST = 200

_WORD = re.compile(r"\w{3,}", re.UNICODE)
STOPWORDS = {
    "the",
    "and",
    "you",
    "your",
    "for",
    "are",
    "was",
    "were",
    "with",
    "this",
    "that",
    "have",
    "has",
    "had",
    "not",
    "but",
    "can",
    "could",
    "would",
    "please",
    "thanks",
    "thank",
    "hello",
    "dear",
    "order",
    "item",
    "from",
    "what",
    "when",
    "where",
    "which",
    "will",
    "there",
    "their",
    "about",
    "just",
    "they",
    "them",
    "then",
    "than",
    "been",
    "also",
    "very",
    "into",
    "more",
    "some",
    "only",
}


def _terms(text: str) -> set[str]:
    words = {w.casefold() for w in _WORD.findall(text or "")} - STOPWORDS
    return {w for w in words if not w.isdigit()}


def suggestions_for(*, conversation: Conversation, limit: int = 3) -> list[dict]:
    """Earlier answers to questions like this one: replies sent to other buyers and the
    owner's answers, ranked by how many words the questions share. Offline, no service.
    Read from what was kept while it holds, else worked out (and kept)."""
    question = _terms(unanswered_text(conversation))
    if not question:
        return []
    offered, _ = _offered(conversation, question, limit, _marks(), timezone.now())
    return offered


def suggestions_refresh(*, at_most: int = REFRESH_AT_MOST, force: bool = False) -> int:
    """Work out ahead what the waiting conversations offer, the soonest due first, where
    what is kept no longer holds (`force`: all of them, held or not). How many were worked
    out. The owner's answers are read once for all of them."""
    marks, now, worked = _marks(), timezone.now(), 0
    owner = owner_answers(limit=OWNER_ANSWERS)
    waiting = Conversation.objects.filter(state=Conversation.State.WAITING)
    for conversation in waiting.order_by("due_at", "pk")[:at_most]:
        question = _terms(unanswered_text(conversation))
        if question:
            worked += _offered(conversation, question, 3, marks, now, force=force, owner=owner)[1]
    return worked


def refresh_soon() -> None:
    """Once this transaction commits, have the worker work the waiting conversations'
    answers out again (an answer was sent, the owner answered, a buyer asked)."""
    transaction.on_commit(
        lambda: async_task("buyers.tasks.refresh_suggestions", group="suggestions")
    )


def owner_answered(*, escalation) -> None:
    """The escalations' hand-off (`buyers.apps`): an answer in words is one to offer."""
    if escalation.answer_kind in ACTED_ON:
        refresh_soon()


def _marks() -> tuple[int, str]:
    """What moves when an answer is sent or the owner answers: two index lookups."""
    return answers_mark(), owner_answers_mark()


def _offered(
    conversation,
    question: set[str],
    limit: int,
    marks: tuple[int, str],
    now,
    *,
    force=False,
    owner=None,
) -> tuple[list, bool]:
    """(what is offered, whether it was worked out now rather than read back)."""
    answered_mark, owner_mark = marks
    drawn_from = hashlib.sha256(
        "|".join([str(limit), owner_mark, *sorted(question)]).encode()
    ).hexdigest()
    kept = (
        None
        if force
        else OfferedAnswers.objects.filter(
            conversation=conversation, drawn_from=drawn_from, worked_out_at__gt=now - FRESH_FOR
        )
        .values_list("offered", "answers_mark")
        .first()
    )
    if kept is not None:
        offered, kept_mark = kept
        if kept_mark == answered_mark:
            return offered, False
        # A mark that went back (the newest reply returned undelivered and no longer
        # answers its question) has them worked out afresh.
        sent_since = (
            _answered_since(conversation, kept_mark, TOP_UP_AT_MOST + 1)
            if kept_mark < answered_mark
            else ()
        )
        if kept_mark < answered_mark and len(sent_since) <= TOP_UP_AT_MOST:
            offered = _best(question, limit, [_as_candidate(o) for o in offered] + sent_since)
            _keep(conversation, drawn_from, answered_mark, now, offered, worked_out_at=False)
            return offered, True
    owner = owner_answers(limit=OWNER_ANSWERS) if owner is None else owner
    offered = _worked_out(conversation, question, limit, owner)
    _keep(conversation, drawn_from, answered_mark, now, offered)
    return offered, True


def _keep(conversation, drawn_from, answered_mark, now, offered, *, worked_out_at=True) -> None:
    """Keep what is offered; a top-up keeps the time it was worked out from the history."""
    fields = ["drawn_from", "answers_mark", "offered"] + (["worked_out_at"] * worked_out_at)
    OfferedAnswers.objects.bulk_create(
        [OfferedAnswers(conversation=conversation, drawn_from=drawn_from, worked_out_at=now,
                        answers_mark=answered_mark, offered=offered)],
        update_conflicts=True,
        unique_fields=["conversation"],
        update_fields=fields,
    )  # fmt: skip


def _answered_elsewhere(conversation):
    """Buyer messages of other conversations answered by a reply (not a holding reply)."""
    return BuyerMessage.objects.filter(
        answered_by_reply__isnull=False, answered_by_reply__kind=Reply.Kind.REPLY
    ).exclude(conversation=conversation)


# What a candidate is read from: the question, the answer, who it answered.
REPLY_FIELDS = ("text", "answered_by_reply__body", "conversation__buyer_name")


def _as_replies(rows) -> list[tuple[str, str, str]]:
    return [(asked, answer, f"reply to {buyer_name}") for asked, answer, buyer_name in rows]


def _answered_since(conversation, mark: int, at_most: int) -> list[tuple[str, str, str]]:
    """The questions answered by replies newer than `mark`, as candidates."""
    rows = (
        _answered_elsewhere(conversation)
        .filter(answered_by_reply_id__gt=mark)
        .values_list(*REPLY_FIELDS)
        .order_by("-answered_by_reply_id")[:at_most]
    )
    return _as_replies(rows)


def _as_candidate(offered: dict) -> tuple[str, str, str]:
    return offered["question"], offered["answer"], offered["source"]


def _worked_out(conversation: Conversation, question: set[str], limit: int, owner) -> list[dict]:
    alike = sharing_most(
        _answered_elsewhere(conversation),
        " ".join(sorted(question, key=lambda w: (-len(w), w))),  # the telling words first
        key=f"{BuyerMessage._meta.db_table}.message_id",
        newest=RECENT,
        limit=CANDIDATES,
        fields=REPLY_FIELDS,
    )
    candidates = _as_replies(alike)
    for details, answer in owner:
        candidates.append((details, answer, "the owner's answer"))
    return _best(question, limit, candidates)


def _best(question: set[str], limit: int, candidates) -> list[dict]:
    """The `limit` candidates (asked, answer, source) whose questions share the most words
    with this one, each answer once."""
    scored = []
    for asked, answer, source in candidates:
        terms = _terms(asked)
        if not terms:
            continue
        score = len(question & terms) / len(question | terms)
        if score >= 0.12:
            scored.append((score, asked, answer, source))
    scored.sort(key=lambda s: -s[0])
    seen, result = set(), []
    for score, asked, answer, source in scored:
        if answer in seen:
            continue
        seen.add(answer)
        result.append(
            {"score": round(score, 2), "question": asked, "answer": answer, "source": source}
        )
        if len(result) == limit:
            break
    return result
