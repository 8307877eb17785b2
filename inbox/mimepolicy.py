"""How the desk's MIME parser reads headers: Python's compat32, made as forgiving as its
`default` policy where real mail needs it. Pure.

- A folded header is unfolded before it is read: a `boundary="...` split over two lines
  still names the boundary the body uses (compat32 keeps the line break inside the value).
- A header with raw 8-bit bytes is text (UTF-8, else Windows-1252), not an
  `email.header.Header`: every caller can `.split()` it, and a filename written in raw UTF-8
  keeps its letters.
"""

import re
from email.policy import Compat32

from inbox.charsets import header_text

_LINE_BREAK = re.compile(r"\r?\n(?=[ \t])")
_SURROGATE = re.compile("[\udc80-\udcff]")


class ForgivingPolicy(Compat32):
    def header_source_parse(self, sourcelines):
        name, value = super().header_source_parse(sourcelines)
        return name, _LINE_BREAK.sub("", value)

    def header_fetch_parse(self, name, value):
        if isinstance(value, str) and _SURROGATE.search(value):
            return header_text(value)
        return super().header_fetch_parse(name, value)


forgiving = ForgivingPolicy()
