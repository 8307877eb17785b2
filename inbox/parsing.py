"""Turn raw RFC 822 bytes into what the desk stores. Pure: no database, no network.

`parse_mail` never raises. Headers are decoded (RFC 2047, raw 8-bit bytes, any charset mail
names; see `inbox.charsets`), and whatever could not be read is listed in `problems`, in words
for the assistant (the exception itself goes to the log). When the bytes cannot be parsed at
all, `unparsable` is set and the caller keeps the raw bytes.
"""

import base64
import binascii
import email
import hashlib
import html
import logging
import quopri
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, ecre
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

import nh3

from inbox import charsets
from inbox.mimepolicy import forgiving
from inbox.mimesplit import split_multipart

log = logging.getLogger(__name__)

MAX_HEADER_CHARS = 4000
_HEADERS = BytesHeaderParser(policy=forgiving)
_BOM = b"\xef\xbb\xbf"
UNREADABLE = "The mail's structure could not be read: it is shown as its raw text."
_FOLD = re.compile(r"\r?\n[ \t]+")
_MSGID = re.compile(r"<[^<>\s]+>")
# A lone surrogate that stands for no undecodable byte (those are U+DC80 to U+DCFF).
_NOT_A_BYTE = re.compile(r"[\ud800-\udc7f\udd00-\udfff]")
# One plain address, the common case: `Name <a@b>`, `"Name, Inc." <a@b>` or `a@b`. Anything
# else (groups, comments, several addresses, escapes) goes to the full RFC 5322 parser.
_ATOMS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\- \t]*"
_ONE_ADDRESS = re.compile(
    rf'\s*(?:(?P<name>{_ATOMS}?)|"(?P<quoted>[^"\\\r\n]*)")\s*<(?P<angle>[^<>\s,;:()"@]+@[^<>\s,;:()"@]+)>\s*'
    rf'|\s*(?P<bare>[^<>\s,;:()"@]+@[^<>\s,;:()"@]+)\s*'
)


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    size: int
    content: bytes | None
    part: str  # IMAP body part number, to fetch the content later when it was not kept
    encoding: str = ""  # its Content-Transfer-Encoding, to decode what the server sends


@dataclass
class ParsedMail:
    content_hash: str
    size: int
    message_id: str = ""
    from_name: str = ""
    from_address: str = ""
    to: str = ""
    cc: str = ""
    subject: str = ""
    date: datetime | None = None
    in_reply_to: str = ""
    references: str = ""
    text: str = ""
    html: str = ""
    headers: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unparsable: bool = False


def clean_text(text: str) -> str:
    """Text any database accepts: no lone surrogates, no NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: undecodable bytes kept, or UTF-7's halves
        text = _NOT_A_BYTE.sub("\ufffd", text)
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.replace("\x00", "") if "\x00" in text else text


def bytes_to_text(data: bytes, charset: str | None, problems: list[str] | None = None) -> str:
    """Decode with the declared charset (mail's aliases mapped); a charset nobody knows is
    detected from the bytes, and named in `problems`."""
    text, known = charsets.decode(data, charset)
    if not known and problems is not None:
        label = str(charset or "").strip().strip('"').lower()[:40]
        problems.append(f"unknown charset {label!r}: the text was read by guessing its encoding")
    return text


def decode_words(value, problems: list[str] | None = None) -> str:
    """A header value with its RFC 2047 encoded words decoded, unfolded, cleaned."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    value = _FOLD.sub(" ", value)
    if "=?" not in value:  # nothing encoded: most headers of most mail
        return clean_text(value).strip()[:MAX_HEADER_CHARS]
    try:
        chunks = decode_header(_backslashes_escaped(value))
    except Exception:  # a malformed encoded word: show it as it stands
        return clean_text(value)[:MAX_HEADER_CHARS]
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            if charset is None:
                chunk = _unencoded(chunk)
            else:
                chunk = bytes_to_text(chunk, charset, problems)
        out.append(chunk)
    return clean_text("".join(out)).strip()[:MAX_HEADER_CHARS]


def _backslashes_escaped(value: str) -> str:
    """`value` with each backslash outside its encoded words written as `\\u005c`:
    `decode_header` gives the text between encoded words back raw-unicode-escaped without
    escaping the sender's own backslashes, so a literal `\\u202e` in a subject would
    otherwise come back as a real right-to-left override."""
    words = list(ecre.finditer(value)) if "\\" in value else []
    if not words:  # decode_header then gives `value` back as it is
        return value
    out, at = [], 0
    for word in words:
        out.append(value[at : word.start()].replace("\\", "\\u005c"))
        out.append(word.group(0))
        at = word.end()
    out.append(value[at:].replace("\\", "\\u005c"))
    return "".join(out)


def _unencoded(chunk: bytes) -> str:
    """Text between encoded words, which `decode_header` gives back raw-unicode-escaped
    (its backslashes escaped first, by `_backslashes_escaped`)."""
    return chunk.decode("raw-unicode-escape")


def html_to_text(markup: str) -> str:
    """Readable text from HTML, for search and rules (never for display)."""
    markup = re.sub(r"(?i)<(br|/p|/div|/h\d|/li|/tr)\b[^>]*>", "\n", markup)
    stripped = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style"})
    return re.sub(r"\n\s*\n+", "\n\n", html.unescape(stripped)).strip()


def _addresses(msg: Message, name: str, problems: list[str]) -> list[tuple[str, str]]:
    raw = [_FOLD.sub(" ", str(v)) for v in msg.get_all(name, [])]
    if len(raw) == 1 and (simple := _ONE_ADDRESS.fullmatch(raw[0])):
        address = (simple["angle"] or simple["bare"]).lower()
        display = simple["quoted"] if simple["quoted"] is not None else simple["name"] or ""
        if simple["quoted"] is None:
            display = " ".join(display.split())
        return [(decode_words(display, problems), clean_text(address).strip())]
    try:
        pairs = getaddresses(raw)
    except Exception:
        problems.append(f"unreadable {name} header")
        return [("", decode_words(v, problems)) for v in raw]
    return [(decode_words(n, problems), clean_text(a).strip().lower()) for n, a in pairs if n or a]


def _join(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{n} <{a}>" if n and a else n or a for n, a in pairs)[:MAX_HEADER_CHARS]


def _date(msg: Message, problems: list[str]) -> datetime | None:
    value = msg.get("Date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        problems.append("invalid Date header")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _part_name(ctype: str, number: str) -> str:
    """A name for a part that has none: returned or forwarded mail opens as a mail."""
    suffix = {"message/rfc822": ".eml", "message/global": ".eml"}.get(ctype, "")
    return f"part-{number or 1}{suffix}"


def _leaf(mail: ParsedMail, part: Message, payload: bytes, number: str, max_keep: int) -> None:
    """One non-multipart part: the first text/plain and text/html are the body, the rest
    are attachments."""
    ctype = part.get_content_type()
    disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    filename = part.get_filename()
    if filename is not None:
        filename = decode_words(filename, mail.problems)
    # As Python's own parser reads it: a text part not marked "attachment" is the body,
    # even with a file name (`inline; filename=note.txt`), when there is none yet.
    is_body = ctype in ("text/plain", "text/html") and disposition != "attachment"
    if is_body:
        text = clean_text(bytes_to_text(payload, part.get_content_charset(), mail.problems))
        text = text.replace("\r\n", "\n")
        if ctype == "text/plain" and not mail.text:
            mail.text = text
            return
        if ctype == "text/html" and not mail.html:
            mail.html = text
            return
    mail.attachments.append(
        ParsedAttachment(
            filename=clean_text(filename or _part_name(ctype, number))[:255],
            content_type=clean_text(ctype)[:100],
            size=len(payload),
            content=payload if len(payload) <= max_keep else None,
            part=number or "1",
            encoding=clean_text(str(part.get("Content-Transfer-Encoding", "")))
            .strip()
            .lower()[:20],
        )
    )


def _message_bytes(part: Message) -> bytes:
    """A message/* part (a returned or forwarded mail, a delivery or feedback report) as the
    bytes it holds, which Python's parser keeps as parsed messages."""
    inner = part.get_payload()
    if not isinstance(inner, list):
        return part.get_payload(decode=True) or b""
    blocks = []
    for block in inner:
        try:
            blocks.append(block.as_bytes(policy=forgiving.clone(linesep="\r\n")))
        except Exception:  # a part Python parsed but cannot write back: its text, as read
            blocks.append(str(block).encode("utf-8", "surrogateescape"))
    return b"".join(blocks)


def _walk(msg: Message, mail: ParsedMail, max_keep: int) -> None:
    def visit(part: Message, number: str) -> None:
        if number and part.get_content_maintype() == "message":
            # One attachment, as Python's parser sees it (its iter_attachments): a returned
            # mail is kept whole, and its text never becomes this mail's body.
            _leaf(mail, part, _message_bytes(part), number, max_keep)
            return
        if part.is_multipart():
            for index, child in enumerate(part.get_payload() or [], start=1):
                if isinstance(child, Message):
                    visit(child, f"{number}.{index}" if number else str(index))
            return
        _leaf(mail, part, part.get_payload(decode=True) or b"", number, max_keep)

    visit(msg, "")


# What Python's parser found wrong, as the assistant would say it.
_DEFECTS = {
    "NoBoundaryInMultipartDefect": "the mail says it has parts but names no boundary",
    "StartBoundaryNotFoundDefect": "the boundary between the mail's parts was not found",
    "CloseBoundaryNotFoundDefect": "the mail's last part is not closed (it may be cut short)",
    "MultipartInvariantViolationDefect": "the mail's parts could not be told apart",
    "FirstHeaderLineIsContinuationDefect": "the first header line is malformed",
    "MisplacedEnvelopeHeaderDefect": "a misplaced envelope line among the headers",
    "MissingHeaderBodySeparatorDefect": "a malformed header line: the rest is read as text",
    "InvalidBase64PaddingDefect": "an attachment's encoding is damaged (padding)",
    "InvalidBase64CharactersDefect": "an attachment's encoding has stray characters",
    "InvalidBase64LengthDefect": "an attachment's encoding is cut short",
}


def defect_words(defect) -> str:
    name = defect.__class__.__name__
    return _DEFECTS.get(name, f"the mail's structure is damaged ({name})")


def decode_transfer(data: bytes, encoding: str) -> bytes:
    """A body part as it travelled, with its Content-Transfer-Encoding undone."""
    if encoding == "base64":
        try:
            return base64.b64decode(data)
        except (binascii.Error, ValueError):
            return data
    if encoding == "quoted-printable":
        return quopri.decodestring(data)
    return data


def parse_outline(header: bytes, parts, *, size: int) -> ParsedMail:
    """A large mail read without its large parts (see ImapConnection.fetch_outline)."""
    mail = parse_mail(header)
    mail.size = size
    # Stable across fetches of the same mail, for matching after a UIDVALIDITY change.
    mail.content_hash = hashlib.sha256(b"outline:%d:" % size + header).hexdigest()
    mail.attachments = []
    for part in parts:
        body = None if part.content is None else decode_transfer(part.content, part.encoding)
        is_text = part.content_type in ("text/plain", "text/html")
        if is_text and part.disposition != "attachment" and body is not None:
            text = clean_text(bytes_to_text(body, part.charset, mail.problems))
            text = text.replace("\r\n", "\n")
            if part.truncated:
                mail.problems.append(f"part {part.part} is long: only its beginning is kept")
            if part.content_type == "text/plain" and not mail.text:
                mail.text = text
                continue
            if part.content_type == "text/html" and not mail.html:
                mail.html = text
                continue
        estimated = part.size * 57 // 78 if part.encoding == "base64" else part.size
        mail.attachments.append(
            ParsedAttachment(
                filename=clean_text(part.filename or f"part-{part.part}")[:255],
                content_type=clean_text(part.content_type)[:100],
                size=len(body) if body is not None else estimated,
                content=body,
                part=clean_text(part.part)[:50],
                encoding=clean_text(part.encoding)[:20],
            )
        )
    if not mail.text and mail.html:
        mail.text = html_to_text(mail.html)
    return mail


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """The header block (with its blank line) and the body."""
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    if not ends:
        return raw, b""
    end = min(ends)
    cut = end + (4 if raw.startswith(b"\r\n\r\n", end) else 2)
    return raw[:cut], raw[cut:]


def read_message(source: bytes) -> tuple[Message, bytes | None]:
    """The mail as the desk reads it: a message and, for one-part mail, its body still to
    decode (None when the message holds its parts). Most mail is one part: its header block
    is read alone and the body decoded directly, rather than walking every body line through
    the full MIME parser. Plain multipart mail is cut at its boundaries; the rest goes to
    Python's parser, with the desk's policy."""
    head, body = _split(source)
    msg = _HEADERS.parsebytes(head)
    if msg.get_content_maintype() != "multipart":
        return msg, body
    return split_multipart(msg, body) or email.message_from_bytes(source, policy=forgiving), None


def parse_mail(raw: bytes, *, max_attachment_bytes: int = 10 * 1024 * 1024) -> ParsedMail:
    mail = ParsedMail(content_hash=hashlib.sha256(raw).hexdigest(), size=len(raw))
    source = raw.removeprefix(_BOM)  # a byte-order mark before the first header
    try:
        msg, body = read_message(source)
    except Exception:
        log.exception("Mail %s could not be parsed", mail.content_hash[:12])
        mail.unparsable = True
        mail.problems.append(UNREADABLE)
        mail.text = clean_text(raw[:200_000].decode("utf-8", "replace"))
        return mail
    try:
        _fill(msg, mail, max_attachment_bytes, body)
    except Exception:  # never let one strange mail stop a sync
        log.exception("Mail %s could not be parsed in full", mail.content_hash[:12])
        mail.unparsable = True
        mail.problems.append(UNREADABLE)
        if not mail.text:
            mail.text = clean_text(raw[:200_000].decode("utf-8", "replace"))
    mail.problems = list(dict.fromkeys(mail.problems))
    return mail


def _fill(msg: Message, mail: ParsedMail, max_keep: int, body: bytes | None) -> None:
    problems = mail.problems
    if not msg.keys():
        problems.append("no headers")
    ids = _MSGID.findall(str(msg.get("Message-ID", "")))
    mail.message_id = clean_text(ids[0])[:998] if ids else ""
    senders = _addresses(msg, "From", problems)
    if senders:
        mail.from_name, mail.from_address = senders[0]
        mail.from_name = mail.from_name[:255]
        mail.from_address = mail.from_address[:320]
    mail.to = _join(_addresses(msg, "To", problems))
    mail.cc = _join(_addresses(msg, "Cc", problems))
    mail.subject = decode_words(msg.get("Subject"), problems)[:998]
    mail.date = _date(msg, problems)
    mail.in_reply_to = " ".join(_MSGID.findall(str(msg.get("In-Reply-To", ""))))[:998]
    mail.references = " ".join(_MSGID.findall(str(msg.get("References", ""))))[:4000]
    mail.headers = clean_text("\n".join(f"{k}: {decode_words(v)}" for k, v in msg.items()))[:20_000]
    if body is None:
        _walk(msg, mail, max_keep)
    else:
        encoding = str(msg.get("Content-Transfer-Encoding", "")).strip().lower()
        _leaf(mail, msg, decode_transfer(body, encoding), "", max_keep)
    if not mail.text and mail.html:
        mail.text = html_to_text(mail.html)
    for defect in msg.defects:
        problems.append(defect_words(defect))
