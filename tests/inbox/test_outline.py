"""A large mail read from its outline (header and small parts), without the database."""

import base64
import hashlib
import quopri

from inbox.mailstore import OutlinePart
from inbox.parsing import ParsedAttachment, decode_transfer, parse_outline

HEADER = b"From: Ann <ann@example.com>\r\nSubject: Photos\r\n\r\n"


def part(number, ctype, content=None, **kwargs):
    fields = dict(charset="utf-8", encoding="7bit", size=len(content or b""), filename="",
                  disposition="", truncated=False)  # fmt: skip
    fields.update(kwargs)
    return OutlinePart(part=number, content_type=ctype, content=content, **fields)


def test_the_text_and_html_of_a_large_mail_are_read_and_its_photo_listed():
    text = base64.b64encode("Grüße, die Matte ist zerrissen.\r\n".encode())
    markup = quopri.encodestring("<p>Grüße</p>".encode())
    mail = parse_outline(
        HEADER,
        [part("1", "text/plain", text, encoding="base64"),
         part("2", "text/html", markup, encoding="quoted-printable"),
         part("3", "image/jpeg", None, encoding="base64", size=780, filename="mat.jpg",
              disposition="attachment")],
        size=5000,
    )  # fmt: skip
    assert (mail.from_address, mail.subject, mail.size) == ("ann@example.com", "Photos", 5000)
    assert mail.text == "Grüße, die Matte ist zerrissen.\n"
    assert mail.html == "<p>Grüße</p>"
    assert mail.attachments == [ParsedAttachment("mat.jpg", "image/jpeg", 570, None, "3", "base64")]
    assert mail.problems == []


def test_the_same_outline_always_has_the_same_fingerprint():
    mail = parse_outline(HEADER, [], size=5000)
    assert mail.content_hash == hashlib.sha256(b"outline:5000:" + HEADER).hexdigest()
    assert parse_outline(HEADER, [], size=5001).content_hash != mail.content_hash


def test_a_part_not_fetched_keeps_its_size_as_sent():
    [photo] = parse_outline(
        HEADER, [part("2", "image/png", None, encoding="7bit", size=780)], size=9000
    ).attachments
    assert (photo.size, photo.content, photo.filename, photo.part) == (780, None, "part-2", "2")


def test_a_fetched_attachment_keeps_its_content_decoded():
    data = b"\x89PNG" + bytes(range(200))
    [photo] = parse_outline(
        HEADER,
        [part("1.2", "image/png", base64.b64encode(data), encoding="base64", size=999,
              filename="a.png", disposition="attachment")],
        size=9000,
    ).attachments  # fmt: skip
    assert (photo.size, photo.content, photo.encoding) == (len(data), data, "base64")


def test_a_cut_text_is_said_to_be_only_its_beginning():
    mail = parse_outline(
        HEADER, [part("1", "text/plain", b"The beginning", truncated=True)], size=9_000_000
    )
    assert mail.text == "The beginning"
    assert mail.problems == ["part 1 is long: only its beginning is kept"]


def test_a_text_in_an_unknown_charset_is_read_and_the_charset_named():
    mail = parse_outline(HEADER, [part("1", "text/plain", b"caf\xe9", charset="utf8x")], size=9)
    assert mail.text == "café"
    assert mail.problems == ["unknown charset 'utf8x': the text was read by guessing its encoding"]


def test_only_the_first_text_is_the_body_the_rest_are_attachments():
    mail = parse_outline(
        HEADER,
        [part("1", "text/plain", b"First"), part("2", "text/plain", b"Second"),
         part("3", "text/html", b"<b>One</b>"), part("4", "text/html", b"<b>Two</b>")],
        size=9,
    )  # fmt: skip
    assert (mail.text, mail.html) == ("First", "<b>One</b>")
    assert [(a.part, a.content) for a in mail.attachments] == [
        ("2", b"Second"),
        ("4", b"<b>Two</b>"),
    ]


def test_a_text_marked_attachment_or_not_fetched_is_an_attachment():
    mail = parse_outline(
        HEADER,
        [part("1", "text/plain", b"notes", disposition="attachment", filename="n.txt"),
         part("2", "text/plain", None, size=7)],
        size=9,
    )  # fmt: skip
    assert mail.text == ""
    assert [(a.filename, a.size) for a in mail.attachments] == [("n.txt", 5), ("part-2", 7)]


def test_an_html_only_outline_gets_text_for_search():
    mail = parse_outline(HEADER, [part("1", "text/html", b"<p>Hello<br>there</p>")], size=9)
    assert mail.text == "Hello\nthere"


def test_a_text_with_crlf_lines_is_read_with_newlines():
    mail = parse_outline(
        HEADER,
        [part("1", "text/plain", b"a\r\nb"), part("2", "text/html", b"<p>a</p>\r\n<p>b</p>")],
        size=9,
    )
    assert (mail.text, mail.html) == ("a\nb", "<p>a</p>\n<p>b</p>")


def test_long_names_are_cut_to_what_the_database_holds():
    [a] = parse_outline(
        HEADER,
        [part("1." * 40, "application/" + "x" * 200, None, filename="f" * 300,
              encoding="x-" + "e" * 30)],
        size=9,
    ).attachments  # fmt: skip
    assert (len(a.filename), len(a.content_type), len(a.part), len(a.encoding)) == (
        255,
        100,
        50,
        20,
    )


def test_damaged_base64_is_kept_as_it_came():
    assert decode_transfer(b"YWJj", "base64") == b"abc"
    assert decode_transfer(b"abc", "base64") == b"abc"
    assert decode_transfer(b"=C3=BC", "quoted-printable") == "ü".encode()
    assert decode_transfer(b"=C3=BC", "7bit") == b"=C3=BC"


def test_a_base64_part_not_fetched_is_estimated_in_whole_bytes():
    [photo] = parse_outline(
        HEADER, [part("2", "image/png", None, encoding="base64", size=100)], size=9000
    ).attachments
    assert (photo.size, type(photo.size)) == (73, int)
