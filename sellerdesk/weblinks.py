"""Links, bare domains and email addresses in free text, found the way a phone or a mail
program would make them clickable, and then some. Pure.

Shared by the reply filter (Amazon refuses buyer replies with links or addresses) and the
owner's texts (nothing a mail's sender wrote may become a link on the owner's phone). Errs on
the side of finding too much: `Mr.Smith` counts as a domain, and a reply or summary with it
says "[link]" or is refused with the reason, which costs a space to fix.
"""

import re

# Every character that reads as a dot: what NFKC or the transliteration to Latin (anyascii)
# turns into "." (the ideographic and full-width stops, the Arabic full stop, the one-dot
# leader, ...). Generated from Unicode by tests/test_weblinks.py, which fails when a newer
# Unicode adds one.
DOT_LIKE = (
    "\u02d9\u02da\u02f3\u0483\u0487\u055f\u0589\u05c3\u061d\u061e\u066b\u06d4\u0701\u0702"
    "\u070a\u070f\u07fd\u0836\u083d\u0887\u0888\u088e\u0965\u0970\u09fd\u0a76\u0af0\u0e2f"
    "\u0f0e\u104b\u1362\u166e\u16eb\u1736\u17d4\u1803\u1809\u1a7f\u1aa9\u1b5c\u1b5f\u1c3c"
    "\u1c3d\u1c3e\u1c3f\u1c7f\u1cc0\u2024\u2299\u22a1\u2396\u2832\u2a03\u2cfe\u2e3c\u2e45"
    "\u2e47\u2e48\u3002\ua4ff\ua60e\ua66f\ua6f3\ua8cf\ua9c9\uaa5f\uabeb\ufbb2\ufbb3\ufbb4"
    "\ufbb5\ufbb6\ufbb7\ufbb8\ufbb9\ufbba\ufbbb\ufbbc\ufbbd\ufbbe\ufbbf\ufe12\ufe52\ufe7e"
    "\ufe7f\uff0e\uff61\U00010101\U00010a51\U00010a57\U00010af4\U00010b39\U00010b3c\U00010b3d"
    "\U00010f56\U00010f87\U00011048\U00011049\U000110bb\U000110bf\U000110c1\U00011142"
    "\U00011174\U000111c6\U000111c7\U00011239\U0001123c\U0001123d\U000112a9\U0001144c"
    "\U0001144f\U0001145a\U000114c6\U000115c3\U00011642\U00011643\U000116b9\U0001173d"
    "\U0001183b\U00011944\U00011a43\U00011a9c\U00011c42\U00011ef8\U00016a6f\U00016af5"
    "\U00016e98\U0001bc9f\U0001d143\U0001d144\U0001d145\U0001d146\U0001d147\U0001d148"
    "\U0001d149\U0001d14a\U0001d14b\U0001d14c\U0001d14d\U0001d14e\U0001d14f\U0001d150"
    "\U0001d151\U0001d152\U0001d153\U0001d154\U0001d155\U0001d156\U0001d157\U0001d158"
    "\U0001d159\U0001d15a\U0001d15b"
)
_ANY_DOT = f"[.{DOT_LIKE}]"
_AT = r"[@\uff20\ufe6b]"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
_LOCAL = r"\w.!#$%&'*+/=?^`{|}~-"
# Each pattern starts only where a run of its characters starts (the look-behinds), so a
# long run in a hostile mail is tried once, not from each of its characters: linear time.
# A hyphen starts a run too unless a word character is before it: "-0.aa" is a link.
_CHAIN_START = r"(?<!\w)(?<!\w-)(?<![\w-]\.)"
_LATIN_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LATIN_TLD = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
_LATIN_START = rf"(?<![a-z0-9])(?<![a-z0-9]-)(?<![a-z0-9-]{_ANY_DOT})"

EMAIL = re.compile(
    rf"(?<![{_LOCAL}])[{_LOCAL}]+{_AT}(?:{_LABEL}{_ANY_DOT})+{_TLD}\b", re.IGNORECASE
)
LINK = re.compile(
    # A scheme, or www. followed by a word: also glued to what is before it ("0www.e0"),
    # where a phone may still find the link; "awww. so" (a space after) is not one.
    r"(?:[a-z][a-z0-9+.-]{1,30}://|www\d{0,3}" + _ANY_DOT + r"(?=[^\W_]))\S*"
    # A bare domain, any path: labels of any script between ASCII dots. The ideographic
    # and full-width stops end sentences in Japanese and Chinese: between such labels they
    # are punctuation; between Latin ones, like any other dot-like character, a link.
    rf"|{_CHAIN_START}(?:{_LABEL}\.)+{_TLD}\b(?:[/:?#]\S*)?"
    rf"|{_LATIN_START}(?:{_LATIN_LABEL}{_ANY_DOT})+{_LATIN_TLD}(?![a-z0-9])(?:[/:?#]\S*)?"
    # An IPv4 address, or anything with as many dotted numbers (a date has three).
    rf"|(?<!\d)(?<!\d{_ANY_DOT})\d+(?:{_ANY_DOT}\d+){{3,}}(?!\d)(?:[/:?#]\S*)?",
    re.IGNORECASE,
)


def has_email(text: str) -> bool:
    return bool(EMAIL.search(text or ""))


def has_link(text: str) -> bool:
    """A URL, `www.`, a bare domain (`evil.test/x`, `example.com`) or an IP address,
    outside any email address."""
    return bool(LINK.search(EMAIL.sub(" ", text or "")))


# What every address and link holds: a dot (an address and a domain) or a colon (a URL's
# "://"). No address or link spans a space.
_MARK = re.compile(rf"{_ANY_DOT}|:")
_SPACES = re.compile(r"(\s+)")


def replace_links(text: str, *, link: str = "[link]", email: str = "[email]") -> str:
    """`text` with every email address and link replaced by a word. The patterns run over
    each distinct run of non-space characters holding a dot or a colon, alone: that finds
    the same (they never cross a space, and a space reads like the start or end of the text
    to their look-arounds), and text without any is returned as it is, several times
    faster than running them over the whole text. Linear time."""
    text = text or ""
    scrubbed = {}
    for run in set(text.split()):  # split() and the patterns' \s agree on every character
        if _MARK.search(run):
            after = LINK.sub(link, EMAIL.sub(email, run))
            if after != run:
                scrubbed[run] = after
    if not scrubbed:
        return text
    return "".join([scrubbed.get(piece, piece) for piece in _SPACES.split(text)])
