"""Texts that fit one SMS segment. Pure.

One segment holds 160 characters of the GSM-7 alphabet; a single character outside it (a
curly quote, a non-breaking space, an emoji) turns the whole text into UCS-2 and cuts the
segment to 70. So every text the desk sends is made of GSM-7 characters only: look-alikes
are replaced by their plain form, accents dropped where GSM-7 lacks the letter, anything
else transliterated (`anyascii`: Cyrillic, Greek, Arabic ... in Latin letters), never a
placeholder `?`. Scripts whose transliteration the owner could not read (Japanese, Chinese,
Korean, Thai) are said in words instead: "(Japanese text)". The characters of GSM-7's
extension table cost two.
"""

import re
import unicodedata

from anyascii import anyascii

from sellerdesk.weblinks import replace_links

SEGMENT = 160
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = set("^{}\\[~]|€")

LOOKALIKES = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
    "•": "-",
    "×": "x",
    "ç": "Ç",  # GSM-7 has one c-cedilla; phones show it for both.
}
SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
# Scripts whose romanisation means nothing to most readers: said in words instead.
_UNREADABLE = [
    ("Japanese", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")),
    ("Korean", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("Chinese", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("Thai", re.compile(r"[\u0e00-\u0e7f]")),
]
_UNREADABLE_RUN = re.compile(
    r"[\u1100-\u11ff\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff01-\uff9f\u0e00-\u0e7f]"
    r"(?:[\s\d\W]*[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\u0e00-\u0e7f])*[。、！？」]?"
)


def language_of(text: str) -> str | None:
    """The language of `text`, when it is written in a script the owner cannot read
    transliterated (Japanese before Chinese: Japanese text mixes kana with Han)."""
    for name, letters in _UNREADABLE:
        if letters.search(text or ""):
            return name
    return None


def in_words(text: str) -> str:
    """`text` with each run in an unreadable script said in words: "(Japanese text)"."""
    language = language_of(text)
    if language is None:
        return text
    return _UNREADABLE_RUN.sub(f"({language} text)", text)


def gsm_length(text: str) -> int:
    """Septets `text` takes in GSM-7; raises ValueError for a character outside GSM-7."""
    total = 0
    for ch in text:
        if ch in BASIC:
            total += 1
        elif ch in EXTENDED:
            total += 2
        else:
            raise ValueError(f"{ch!r} is not a GSM-7 character")
    return total


def is_gsm(text: str) -> bool:
    return all(ch in BASIC or ch in EXTENDED for ch in text)


def segments(text: str) -> int:
    """SMS segments `text` costs as sent: GSM-7 if it can be, UCS-2 otherwise."""
    if is_gsm(text):
        length = gsm_length(text)
        return 1 if length <= SEGMENT else -(-length // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def _plain(ch: str) -> str:
    if ch in BASIC or ch in EXTENDED:
        return ch
    if ch in LOOKALIKES:
        return LOOKALIKES[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    kept = "".join(c for c in decomposed if c in BASIC or c in EXTENDED)
    if kept and not unicodedata.combining(decomposed[0]):
        return kept
    if unicodedata.category(ch) in ("So", "Sk", "Cs", "Co", "Cn", "Cc", "Cf", "Mn", "Me"):
        return ""  # emoji, symbols, control and stray combining marks: dropped
    latin = "".join(c for c in anyascii(ch) if c in BASIC or c in EXTENDED)
    return latin if latin.strip() else ""


def to_gsm(text: str) -> str:
    """`text` on one line in GSM-7 characters only."""
    text = in_words(INVISIBLE.sub("", text))
    text = SPACES.sub(" ", text)
    text = "".join(_plain(ch) for ch in text)
    return SPACES.sub(" ", text).strip()


def shorten(text: str, budget: int) -> str:
    """`text` (GSM-7) cut to `budget` septets, at a word where it can, marked with '...'."""
    if gsm_length(text) <= budget:
        return text
    if budget < 4:
        return ""
    cut, used = [], 0
    for ch in text:
        cost = 2 if ch in EXTENDED else 1
        if used + cost > budget - 3:
            break
        cut.append(ch)
        used += cost
    head = "".join(cut)
    word_end = head.rfind(" ")
    if word_end > len(head) * 2 // 3:
        head = head[:word_end]
    return head.rstrip(" ,;:-") + "..."


def sender_words(text: str) -> str:
    """A summary or label (words a mail's sender may have written) in GSM-7, scrubbed again
    after the transliteration: a character no scrub knew may only now read as a dot, and
    nothing a sender wrote may reach the owner as a link or an address."""
    return replace_links(to_gsm(text), link="[link]", email="[email]")


def compose(*, summary: str, reference: str, link: str, initials: str, prefix: str = "") -> str:
    """`<prefix><summary> #<ref> <link> -<initials>`, one GSM-7 segment: only the summary
    gives way. Raises ValueError when the fixed parts alone do not fit."""
    initials = to_gsm(initials).replace(" ", "")[:6] or "SD"
    tail = f" #{to_gsm(reference)} {to_gsm(link)} -{initials}"
    head = to_gsm(prefix)
    budget = SEGMENT - gsm_length(tail) - gsm_length(head) - (1 if head else 0)
    if budget < 10:
        raise ValueError("The link and signature leave no room for a summary: shorten SITE_URL.")
    body = shorten(sender_words(summary) or "(no summary)", budget)
    return f"{head} {body}{tail}" if head else f"{body}{tail}"


def compose_list(
    *, lead: str, labels: list[str], reference: str, link: str, initials: str, prefix: str = ""
) -> str:
    """A digest: `<lead> <label>; <label>; +N more #<ref> <link> -<initials>`, one segment,
    as many labels (in the order given) as fit, each cut short when it must be."""
    initials = to_gsm(initials).replace(" ", "")[:6] or "SD"
    tail = f" #{to_gsm(reference)} {to_gsm(link)} -{initials}"
    head = " ".join(p for p in (to_gsm(prefix), to_gsm(lead)) if p)
    budget = SEGMENT - gsm_length(tail) - gsm_length(head) - 1
    if budget < 10:
        raise ValueError("The link and signature leave no room for a summary: shorten SITE_URL.")
    plain = [sender_words(label) or "(no summary)" for label in labels]
    shown: list[str] = []
    for index, label in enumerate(plain):
        left = len(plain) - index - 1
        more = f"; +{left} more" if left else ""
        used = gsm_length("; ".join(shown)) + (2 if shown else 0)
        room = budget - used - gsm_length(more)
        if room >= min(gsm_length(label), 12):
            shown.append(shorten(label, min(room, 48)))
            continue
        break
    rest = len(plain) - len(shown)
    body = "; ".join(shown) + (
        f"; +{rest} more" if shown and rest else f"+{rest} more" if rest else ""
    )
    return f"{head} {body}{tail}"
