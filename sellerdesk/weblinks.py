"""Links, bare domains and email addresses in free text, found the way a phone or a mail
program would make them clickable, and then some. Pure.

Shared by the reply filter (Amazon refuses buyer replies with links or addresses) and the
owner's texts (nothing a mail's sender wrote may become a link on the owner's phone). Errs on
the side of finding too much: `Mr.Smith` counts as a domain, and a reply or summary with it
says "[link]" or is refused with the reason, which costs a space to fix.
"""

import re

_DOT = r"[.\u3002\uff0e\uff61]"  # and the full-width dots some phones also link
_AT = r"[@\uff20]"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
_LOCAL = r"\w.!#$%&'*+/=?^`{|}~-"
# Each pattern starts only where a run of its characters starts (the look-behinds), so a
# long run in a hostile mail is tried once, not from each of its characters: linear time.
# A hyphen starts a run too unless a word character is before it: "-0.aa" is a link.
_CHAIN_START = rf"(?<!\w)(?<!\w-)(?<![\w-]{_DOT})"

EMAIL = re.compile(rf"(?<![{_LOCAL}])[{_LOCAL}]+{_AT}(?:{_LABEL}{_DOT})+{_TLD}\b", re.IGNORECASE)
LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]{1,30}://|\bwww\d{0,3}" + _DOT + r")\S*"  # a scheme, or www.
    rf"|{_CHAIN_START}(?:{_LABEL}{_DOT})+{_TLD}\b(?:[/:?#]\S*)?"  # a bare domain, any path
    # An IPv4 address, or anything with as many dotted numbers (a date has three).
    rf"|(?<!\d)(?<!\d{_DOT})\d+(?:{_DOT}\d+){{3,}}(?!\d)(?:[/:?#]\S*)?",
    re.IGNORECASE,
)


def has_email(text: str) -> bool:
    return bool(EMAIL.search(text or ""))


def has_link(text: str) -> bool:
    """A URL, `www.`, a bare domain (`evil.test/x`, `example.com`) or an IP address,
    outside any email address."""
    return bool(LINK.search(EMAIL.sub(" ", text or "")))


# A run of non-space characters holding a dot or a colon: no address or link spans a space,
# and each holds one (an address and a domain a dot, a URL its "://"). Starts only where a
# run starts: linear.
_CANDIDATE = re.compile(rf"(?<!\S)\S*?(?:{_DOT}|:)\S*")


def replace_links(text: str, *, link: str = "[link]", email: str = "[email]") -> str:
    """`text` with every email address and link replaced by a word. The patterns run over
    each candidate run of characters alone, which finds the same (they never cross a space,
    and a space reads like the start or end of the text to their look-arounds), several
    times faster than over the whole text."""

    def scrub(run: re.Match) -> str:
        return LINK.sub(link, EMAIL.sub(email, run.group()))

    return _CANDIDATE.sub(scrub, text or "")
