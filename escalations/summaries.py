"""A one- or two-sentence summary of a mail for the owner, drafted from the mail alone: who
sent it, what it asks, and any amount or deadline in it. No outside service. Pure."""

import re

from escalations.scrub import owner_safe

_SPACE = re.compile(r"\s+")
_QUOTED = re.compile(r"^\s*>.*$|^On .{0,200}wrote:\s*$", re.MULTILINE)
# A sentence ends at . ! ? followed by whitespace, at the Arabic question mark likewise,
# at the CJK full stop, which no space follows, and at ? or ! followed by Japanese or Chinese
# (full-width question and exclamation marks are ? and ! once the text is normalised).
_QUESTION_MARKS = "?\u061f"
_SPACED_ENDS = ".!" + _QUESTION_MARKS  # the ends whitespace follows
_END_CHARS = tuple(_SPACED_ENDS + "\u3002")
_CJK = "\u3040-\u30ff\u3400-\u9fff"
_AFTER_END = re.compile(rf"(?<=[{_SPACED_ENDS}])\s+|(?<=\u3002)\s*|(?<=[?!])(?=[{_CJK}])")
_ENDS = re.compile(rf"[{_SPACED_ENDS}]\s|\u3002|[?!][{_CJK}]")
_ASKING = re.compile(
    rf"[{_QUESTION_MARKS}]|\b(please|kindly|could you|can you|would you|we need|you must|"
    r"required|action required|confirm|respond|reply|pay|renew|verify|update)\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.]*\d|\b\d[\d,.]*\d?\s?(?:USD|EUR|GBP|CAD|JPY|dollars|euros)\b)",
    re.IGNORECASE,
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DEADLINE = re.compile(
    r"\b(?:by|before|until|no later than|due(?: on| by)?|deadline:?|expires?(?: on)?|within)"
    rf"\s+(?:the\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:\s+\d{{4}})?|{_MONTHS}\s+"
    r"\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|tomorrow|today|end of (?:the )?(?:day|week|"
    r"month)|\d{1,3}\s+(?:business\s+)?(?:days?|hours?|weeks?))",
    re.IGNORECASE,
)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _sender(mail) -> str:
    """Who sent it, in words the owner can trust: the display name, else the address's
    local part; never the domain (a look-alike domain in a text is a phishing line)."""
    name = _clean(mail.from_name or "")
    address = (mail.from_address or "").strip()
    local = address.rpartition("@")[0] if "@" in address else address
    return name or local or "Unknown sender"


def _sentences(body: str):
    """The pieces of `body` cut at line ends and at whitespace after a sentence's end,
    cleaned, that read as a sentence: cut at line ends first, and at sentence ends only in
    the lines that hold one."""
    for line in body.split("\n"):
        pieces = _AFTER_END.split(line) if _ENDS.search(line) else (line,)
        for piece in pieces:
            if piece[-1:] in _END_CHARS:  # whitespace after an end is cut away
                sentence = " ".join(piece.split())
                if 8 <= len(sentence) <= 300:
                    yield sentence


def _ask(subject: str, text: str) -> str:
    """The mail's first question, else its first sentence asking for something, else the
    subject. One pass, stopping at the first question."""
    asking = None
    for sentence in _sentences(_QUOTED.sub("", text)[:4000]):
        if sentence[-1] in _QUESTION_MARKS:
            return sentence
        if asking is None and _ASKING.search(sentence):
            asking = sentence
    return asking or subject


DETAILS_LIMIT = 5000
Draft = tuple[str, str]  # an escalation's summary and details


def mail_draft(mail) -> Draft:
    """What an escalation about `mail` opens with: its summary and its details (the start of
    its text), the sender's links and addresses made words. `mail` as for summarize_mail."""
    text = getattr(getattr(mail, "content", None), "text", None) or getattr(mail, "text", None)
    safe_text = owner_safe(text or "")
    return summarize_mail(mail, safe_text=safe_text), safe_text[:DETAILS_LIMIT]


def summarize_mail(mail, *, safe_text: str | None = None) -> str:
    """`mail` has from_name, from_address, subject and content.text (a stored Message) or
    text (a parsed mail). Links, domains and addresses the sender wrote are words.
    `safe_text`: the mail's whole text already through `owner_safe`, when the caller has it."""
    if safe_text is None:
        text = getattr(getattr(mail, "content", None), "text", None) or getattr(mail, "text", None)
        # Scrubbed before anything is cut short: half a link must not pass for no link.
        safe_text = owner_safe(text or "")
    text, sender = safe_text, owner_safe(_sender(mail))
    subject = owner_safe(_clean(mail.subject or "")) or "(no subject)"
    ask = _ask(subject, text)
    about = f'{sender} about "{subject[:80]}": {ask}'
    first = f"{sender}: {subject}" if ask == subject else about
    extras = []
    haystack = f"{subject}\n{text}"[:8000]
    amount = _AMOUNT.search(haystack)
    if amount and amount.group(0) not in first:
        extras.append(f"Amount {_clean(amount.group(0))}")
    deadline = _DEADLINE.search(haystack)
    if deadline and deadline.group(0) not in first:
        extras.append(f"deadline {_clean(deadline.group(0))}")
    summary = first
    if extras:
        extra = ", ".join(extras)
        summary = summary.rstrip(".") + ". " + extra[0].upper() + extra[1:] + "."
    return summary[:300]
