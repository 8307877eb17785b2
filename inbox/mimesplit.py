"""A multipart mail cut into its parts at its boundary lines with bytes operations. Pure.

Python's MIME parser reads every body line through a chain of Python calls, and compiles a
pattern per boundary: most of the cost of reading a mailbox with PDFs and HTML in it. Mail of
the plain shape (every boundary found and closed, headers clean, no mail inside the mail) is
split here into the same tree of `email.message.Message` parts that parser builds, with the
same headers and the same payload strings. Anything else returns None, and the caller gives
the mail to Python's parser, which records what is wrong with it.
"""

from email.message import Message
from email.parser import BytesHeaderParser
from itertools import pairwise

from inbox.mimepolicy import forgiving

_HEADERS = BytesHeaderParser(policy=forgiving)
MAX_DEPTH = 20
_PLAIN_ENCODINGS = ("7bit", "8bit", "binary")


def split_multipart(msg: Message, body: bytes) -> Message | None:
    """`msg` (a multipart mail read by its header block alone) filled with its parts cut
    from `body`, or None when the mail is not of the plain shape."""
    if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
        return None  # a lone CR ends a line for Python's parser: leave such mail to it
    return msg if _fill(msg, body, (), 0) else None


def _fill(msg: Message, body: bytes, outer: tuple[bytes, ...], depth: int) -> bool:
    if msg.defects or msg.get_payload():  # a header line the parser did not accept
        return False
    maintype = msg.get_content_maintype()
    if maintype == "message":  # a mail inside the mail: the parser reads it as one
        return False
    if maintype != "multipart":
        msg.set_payload(body.decode("ascii", "surrogateescape"))
        return True
    if depth >= MAX_DEPTH or msg.get_content_subtype() == "digest":
        return False
    boundary = msg.get_boundary()
    encoding = str(msg.get("content-transfer-encoding", "8bit")).lower()
    if not boundary or not boundary.isascii() or encoding not in _PLAIN_ENCODINGS:
        return False
    separator = b"--" + boundary.encode("ascii")
    # A line that two nested boundaries could both claim: the parser gives it to the inner.
    if any(s.startswith(separator) or separator.startswith(s) for s in outer):
        return False
    chunks = _parts(body, separator)
    if chunks is None:
        return False
    children = []
    for chunk in chunks:
        head, rest = _head(chunk)
        child = _HEADERS.parsebytes(head)
        if not _fill(child, rest, (*outer, separator), depth + 1):
            return False
        children.append(child)
    msg.set_payload(children)
    return True


def _parts(body: bytes, separator: bytes) -> list[bytes] | None:
    """The parts between the first boundary line and the closing one, each without the line
    break before the next boundary (it belongs to the boundary, RFC 2046). None when the
    first or the closing boundary is missing, or two boundary lines follow each other."""
    lines = _boundary_lines(body, separator)
    if not lines or lines[0][2]:
        return None
    parts = []
    for (_, end, closing), (start, _, _) in pairwise(lines):
        if closing:
            break
        if start == end:  # the parser folds repeated boundary lines into one
            return None
        chunk = body[end:start]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        elif chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        parts.append(chunk)
    if not any(closing for _, _, closing in lines):
        return None
    return parts


def _boundary_lines(body: bytes, separator: bytes) -> list[tuple[int, int, bool]]:
    """(start, end, closing) of each line that is `separator`, maybe `--`, maybe spaces or
    tabs, and its line break (or the end of the body)."""
    found, at, size = [], 0, len(body)
    while (at := body.find(separator, at)) >= 0:
        start, at = at, at + len(separator)
        if start and body[start - 1] != 0x0A:  # not at the start of a line
            continue
        closing = body.startswith(b"--", at)
        end = at + 2 if closing else at
        while end < size and body[end] in b" \t":
            end += 1
        if end == size:
            found.append((start, end, closing))
        elif body.startswith(b"\r\n", end):
            found.append((start, end + 2, closing))
        elif body[end] == 0x0A:
            found.append((start, end + 1, closing))
    return found


def _head(chunk: bytes) -> tuple[bytes, bytes]:
    """A part's header block and its body, split at the first empty line."""
    if chunk.startswith(b"\r\n"):
        return b"", chunk[2:]
    if chunk.startswith(b"\n"):
        return b"", chunk[1:]
    ends = [
        (at, cut) for at, cut in ((chunk.find(b"\n\r\n"), 3), (chunk.find(b"\n\n"), 2)) if at >= 0
    ]
    if not ends:
        return chunk, b""
    at, cut = min(ends)
    return chunk[: at + 1], chunk[at + cut :]
