"""Answer memory: earlier answers to questions like the one a buyer asks now."""

import re

from buyers.models import BuyerMessage, Conversation, Reply
from buyers.selectors import unanswered_text
from escalations.selectors import owner_answers
from inbox.search import sharing_most

# Earlier buyer questions are found through the mail's full-text index, among the newest
# RECENT answered ones, and only the CANDIDATES most alike by the index are compared word
# for word: a page costs the same with fifty thousand answered messages as with fifty.
RECENT, CANDIDATES, OWNER_ANSWERS = 2000, 60, 300

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
    owner's answers, ranked by how many words the questions share. Offline, no service."""
    question = _terms(unanswered_text(conversation))
    if not question:
        return []
    candidates = []
    answered = BuyerMessage.objects.filter(
        answered_by_reply__isnull=False, answered_by_reply__kind=Reply.Kind.REPLY
    ).exclude(conversation=conversation)
    alike = sharing_most(
        answered,
        " ".join(sorted(question, key=lambda w: (-len(w), w))),  # the telling words first
        key=f"{BuyerMessage._meta.db_table}.message_id",
        newest=RECENT,
        limit=CANDIDATES,
        fields=("text", "answered_by_reply__body", "conversation__buyer_name"),
    )
    for asked, answer, buyer_name in alike:
        candidates.append((asked, answer, f"reply to {buyer_name}"))
    for details, answer in owner_answers(limit=OWNER_ANSWERS):
        candidates.append((details, answer, "the owner's answer"))
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
