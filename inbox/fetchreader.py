"""FETCH responses of the first sync's two big commands read by pattern, not token by token.

imapclient's parser reads a response one character at a time in Python: on a first sync of
10,000 mails that is seconds of the process's time (the sizes, then every mail's FLAGS and
INTERNALDATE around its body), taken from the thread that stores the mail. The answers to
`UID FETCH (RFC822.SIZE)` and `UID FETCH (BODY.PEEK[] FLAGS INTERNALDATE)` have a plain
shape; each response is read here by pattern, and any response of another shape (an item
quoted instead of sent as a literal, a server's extra items, anything unexpected) sends the
whole answer to imapclient's parser, so the result is always the same as its.
"""

import re

from imapclient.datetime_util import parse_to_datetime
from imapclient.response_parser import parse_fetch_response

_SEQ = re.compile(rb"\s*(\d+) \(")
_UID = re.compile(rb"(?:^|[ (])UID (\d+)(?=[ )])")
_SIZE = re.compile(rb"(?:^|[ (])RFC822\.SIZE (\d+)(?=[ )])")
_FLAGS = re.compile(rb"(?:^|[ (])FLAGS \(([^()\"{}]*)\)")
_DATE = re.compile(rb'(?:^|[ (])INTERNALDATE "([^"\\]*)"')
_BODY = re.compile(rb"(?<=[ (])BODY\[\] \{(\d+)\}$")
# Every item the fast path knows, and nothing else: a response with more goes to imapclient.
_KNOWN = re.compile(
    rb'^\s*\d+ \((?:\s*(?:UID \d+|RFC822\.SIZE \d+|FLAGS \([^()"{}]*\)'
    rb'|INTERNALDATE "[^"\\]*"|BODY\[\] \{\d+\}))*\s*\)?\s*$'
)


class _Unusual(Exception):
    pass


def read_fetch(data: list, normalise_times: bool = True) -> dict:
    """{uid: {item: value}} as imapclient's parse_fetch_response(data, normalise_times,
    uid_is_key=True) gives it, for the items UID, RFC822.SIZE, FLAGS, INTERNALDATE and
    BODY[]."""
    try:
        return _read(data, normalise_times)
    except (_Unusual, ValueError, IndexError, TypeError):
        return parse_fetch_response(data, normalise_times, True)


def _read(data: list, normalise_times: bool) -> dict:
    parsed: dict = {}
    items = iter(data)
    for item in items:
        if item is None:
            continue
        if isinstance(item, tuple):  # head ending in a literal, then the rest of the line
            head, literal = item
            if not isinstance(literal, bytes | bytearray):
                raise _Unusual
            body = _BODY.search(head)
            if body is None or int(body.group(1)) != len(literal):
                raise _Unusual
            tail = next(items, b")")
            if not isinstance(tail, bytes | bytearray):
                raise _Unusual  # a second literal in one response
            line = head[: body.start()] + tail
        else:
            line, literal = item, None
        if not _KNOWN.match(line):
            raise _Unusual
        seq, uid = _SEQ.match(line), _UID.search(line)
        if seq is None or uid is None:
            raise _Unusual
        fields = parsed.setdefault(int(uid.group(1)), {})
        fields[b"SEQ"] = int(seq.group(1))
        if (size := _SIZE.search(line)) is not None:
            fields[b"RFC822.SIZE"] = int(size.group(1))
        if (flags := _FLAGS.search(line)) is not None:
            fields[b"FLAGS"] = tuple(flags.group(1).split())
        if (date := _DATE.search(line)) is not None:
            fields[b"INTERNALDATE"] = parse_to_datetime(date.group(1), normalise=normalise_times)
        if literal is not None:
            fields[b"BODY[]"] = bytes(literal)
    return parsed
