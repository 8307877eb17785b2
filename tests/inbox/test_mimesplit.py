"""The boundary splitter (inbox/mimesplit.py) builds the tree Python's own parser builds, part
for part, or steps aside: compared on the samples, the defect corpus, the benchmark's seller
mail and generated multipart mail of every shape, well formed or not."""

import email
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from benchmarks.mailgen import make_mail
from inbox.mimepolicy import forgiving
from inbox.mimesplit import split_multipart
from inbox.parsing import _HEADERS, _split, parse_mail, read_message
from tests.conftest import examples
from tests.inbox.test_corpus import EVERY_MAIL


def tree(msg):
    """Everything the desk reads from a parsed mail, as plain values."""
    shape = (
        msg.items(),
        [type(d).__name__ for d in msg.defects],
        msg.get_content_type(),
        msg.get_filename(),
        msg.get_content_charset(),
    )
    if msg.is_multipart():
        return (*shape, [tree(part) for part in msg.get_payload()])
    return (*shape, msg.get_payload(), msg.get_payload(decode=True))


def split(raw: bytes):
    head, body = _split(raw)
    msg = _HEADERS.parsebytes(head)
    if msg.get_content_maintype() != "multipart":
        return None
    return split_multipart(msg, body)


def by_pythons_parser(raw: bytes):
    """What the desk stores for `raw` when Python's parser reads the whole mail."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "inbox.parsing.read_message",
            lambda source: (email.message_from_bytes(source, policy=forgiving), None),
        )
        return parse_mail(raw)


def same_as_python(raw: bytes) -> bool:
    """The splitter's tree is Python's parser's, part for part; or it declined, and what the
    desk stored is what it stores from Python's parser's tree. True if the splitter took it."""
    fast = split(raw)
    if fast is not None:
        assert tree(fast) == tree(email.message_from_bytes(raw, policy=forgiving))
        assert parse_mail(raw) == by_pythons_parser(raw)
        return True
    msg, body = read_message(raw)
    if body is None:  # multipart: the desk reads Python's parser's tree itself
        assert tree(msg) == tree(email.message_from_bytes(raw, policy=forgiving))
    assert parse_mail(raw) == by_pythons_parser(raw)
    return False


@pytest.mark.parametrize("path", EVERY_MAIL, ids=lambda p: p.name)
def test_samples_and_corpus_read_the_same(path):
    same_as_python(path.read_bytes())


def test_seller_mail_is_split_and_reads_the_same():
    rng = random.Random(7)
    mails = [make_mail(rng, n) for n in range(300)]
    taken = [same_as_python(raw) for raw in mails]
    multipart = [split(raw) is not None or b"multipart/" in raw[:2000] for raw in mails]
    assert sum(taken) == sum(multipart) > 200  # every multipart one, not only some


def test_a_parsed_mail_is_the_same_either_way(monkeypatch):
    rng = random.Random(3)
    for n in range(60):
        raw = make_mail(rng, n)
        fast = parse_mail(raw)
        monkeypatch.setattr("inbox.parsing.split_multipart", lambda msg, body: None)
        slow = parse_mail(raw)
        monkeypatch.undo()
        assert fast == slow


def test_nested_parts_and_their_numbers():
    raw = (
        b"Content-Type: multipart/mixed; boundary=out\r\n\r\npreamble\r\n--out\r\n"
        b"Content-Type: multipart/alternative; boundary=in\r\n\r\n--in\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--in\r\nContent-Type: text/html\r\n\r\n"
        b"<p>hello</p>\r\n--in--\r\n--out\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\n--out--\r\nepilogue\r\n"
    )
    assert same_as_python(raw)
    mail = parse_mail(raw)
    assert (mail.text, mail.html) == ("hello", "<p>hello</p>")
    assert [(a.filename, a.part, a.content) for a in mail.attachments] == [
        ("a.pdf", "2", b"%PDF-1")
    ]


@pytest.mark.parametrize(
    "raw",
    [
        # no closing boundary, no first boundary, two boundary lines in a row, a lone CR,
        # a mail inside the mail, a header line the parser refuses, the same boundary inside
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n",
        b"Content-Type: multipart/mixed; boundary=b\n\nno boundary at all\n",
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nx\n--b--\n",
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\ry\n--b--\n",
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
        b"Subject: inner\n\nx\n--b--\n",
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nnot a header\n\nx\n--b--\n",
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; "
        b"boundary=b\n\n--b\n\nx\n--b--\n--b--\n",
    ],
)
def test_mail_off_the_plain_shape_goes_to_pythons_parser(raw):
    assert split(raw) is None
    assert not same_as_python(raw)  # and is read as Python's parser reads it


# Generated mail: boundaries that are prefixes of each other, either line ending, spaces
# after a boundary, text lines that look almost like a boundary, parts without headers.
_ENDINGS = st.sampled_from([b"\r\n", b"\n"])
_BOUNDARIES = st.sampled_from(["b", "b1", "bb", "=_b", "b--", "x y"])
_SAFE = [
    b"text",
    b"x--b",
    b"",
    b"--bx",
    b"-- b",
    b"==",
    b" ",
    b"\xc3\xa9",
    b"Subject: not a header",
]
_LINES = st.lists(st.sampled_from(_SAFE * 6 + [b"--b", b"--b1 ", b"--b--"]), max_size=4)


@st.composite
def _mail(draw, depth=0):
    eol = draw(_ENDINGS)
    headers = []
    if draw(st.booleans()) or depth == 0:
        if depth == 0 or (depth < 2 and draw(st.booleans())):
            boundary = draw(_BOUNDARIES)
            quoted = f'"{boundary}"' if " " in boundary or draw(st.booleans()) else boundary
            headers.append(f"Content-Type: multipart/mixed; boundary={quoted}".encode())
            parts = draw(st.lists(_mail(depth + 1), min_size=1, max_size=3))
            sep = b"--" + boundary.encode()
            body = eol.join(draw(_LINES)) + eol  # preamble
            for part in parts:
                body += sep + draw(st.sampled_from([b"", b" ", b"\t "])) + eol + part + eol
            if draw(st.sampled_from([True] * 5 + [False])):  # mostly closed
                body += sep + b"--" + eol + eol.join(draw(_LINES))
        else:
            headers.append(draw(st.sampled_from([b"Content-Type: text/plain", b"X-A: 1"])))
            body = eol.join(draw(_LINES))
    else:
        body = eol.join(draw(_LINES))
    return eol.join(headers) + eol + eol + body if headers else eol + body


@settings(max_examples=examples(400), deadline=None)
@given(_mail())
@example(b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \r\n\r\n--b1\r\n--b--")
def test_generated_multipart_mail_reads_the_same(raw):
    same_as_python(raw)


def test_a_boundary_inside_a_line_is_text():
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
        b"see x--b\nContent-Type: text/html\n\n<p>still text</p>\n--b--\n"
    )
    assert same_as_python(raw)
    assert parse_mail(raw).text.endswith("<p>still text</p>")


def test_mail_for_pythons_parser_is_read_with_the_desks_policy():
    """An unclosed multipart goes to Python's parser; a boundary folded over two lines is
    still read whole there (the forgiving policy), so the parts are found."""
    raw = (
        b'Subject: x\r\nContent-Type: multipart/mixed; boundary="abc\r\n def"\r\n\r\n'
        b"--abc def\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        b"--abc def\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n"
    )
    assert not same_as_python(raw)
    mail = parse_mail(raw)
    assert (mail.text, mail.html) == ("hello", "<p>hi</p>")
    assert mail.problems == ["the mail's last part is not closed (it may be cut short)"]


# The shapes the splitter takes itself (the fast path), each read as Python's parser reads it.
TAKEN = {
    "crlf": b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain"
    b"\r\n\r\nhello\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n",
    "part without headers, crlf": b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
    b"\r\nplain words\r\n--b--\r\n",
    "part without headers, lf": b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nplain\n"
    b"--b--\n",
    "a boundary line in the epilogue": b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
    b"Content-Type: text/plain\n\nx\n--b--\nepilogue\n--b\nmore epilogue\n",
    "a line that starts like the boundary": b"Content-Type: multipart/mixed; boundary=b\n\n"
    b"--b\nContent-Type: text/plain\n\nx\n--bX\n--b XX\ny\n--b--\n",
    "twenty levels": None,  # made below
}
DECLINED = {
    "a digest": b"Content-Type: multipart/digest; boundary=b\n\n--b\n\nSubject: inner\n\n"
    b"body\n--b--\n",
    "a boundary two levels could claim": b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
    b"Content-Type: multipart/mixed; boundary=b1\n\n--b1\n\nx\n--b1--\n--b--\n",
    "the inner boundary a prefix of the outer": b"Content-Type: multipart/mixed; boundary=b1\n\n"
    b"--b1\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n--b1--\n",
    "a part opening with a folded line": b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
    b" folded\nContent-Type: text/plain\n\nx\n--b--\n",
    "a header without a name": b"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
    b"Content-Type: text/plain\n:no name\n\nx\n--b--\n",
    "a non-ASCII boundary": 'Content-Type: multipart/mixed; boundary="é"\n\n--é\n\nx\n--é--\n'.encode(),
    "a base64 multipart": b"Content-Type: multipart/mixed; boundary=b\n"
    b"Content-Transfer-Encoding: base64\n\n--b\n\nx\n--b--\n",
    "twenty-one levels": None,
}


def nested(levels: int) -> bytes:
    head, tail = b"", b""
    for level in range(levels):
        head += f"Content-Type: multipart/mixed; boundary=L{level}Z\n\n--L{level}Z\n".encode()
        tail = f"\n--L{level}Z--\n".encode() + tail
    return head + b"Content-Type: text/plain\n\ndeep" + tail


TAKEN["twenty levels"] = nested(20)
DECLINED["twenty-one levels"] = nested(21)


@pytest.mark.parametrize("name", TAKEN)
def test_the_plain_shapes_are_taken_by_the_splitter(name):
    assert same_as_python(TAKEN[name])


@pytest.mark.parametrize("name", DECLINED)
def test_shapes_off_the_plain_one_are_left_to_pythons_parser(name):
    assert split(DECLINED[name]) is None
    assert not same_as_python(DECLINED[name])
