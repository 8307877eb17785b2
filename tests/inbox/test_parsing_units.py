"""Parsing, piece by piece, on small hand-made mails: what each header and part becomes."""

import email.errors
import logging
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header

import pytest

from inbox import parsing
from inbox.parsing import (
    UNREADABLE,
    bytes_to_text,
    clean_text,
    decode_words,
    defect_words,
    html_to_text,
    parse_mail,
)

UNKNOWN = "unknown charset 'utf8x': the text was read by guessing its encoding"


def raw(*headers: str, body: str = "Hello", crlf: bool = True) -> bytes:
    end = "\r\n" if crlf else "\n"
    return (end.join(headers) + end + end + body).encode()


def multipart(*parts: str, boundary: str = "b0", headers: tuple[str, ...] = ()) -> bytes:
    """A multipart/mixed mail; each part is its headers, a blank line and its body."""
    lines = [*headers, f'Content-Type: multipart/mixed; boundary="{boundary}"', ""]
    for part in parts:
        lines += [f"--{boundary}", part]
    lines.append(f"--{boundary}--")
    return "\r\n".join(lines).encode()


# Text any database accepts


def test_undecodable_bytes_kept_as_surrogates_are_read_back_as_utf8():
    assert clean_text("caf\udcc3\udca9 \udcff") == "café \ufffd"


def test_nul_characters_are_dropped():
    assert clean_text("a\x00b\x00") == "ab"


# Charsets and encoded words


def test_an_unknown_charset_is_named_plainly_and_briefly():
    problems = []
    assert bytes_to_text(b"caf\xe9", ' "UTF8X" ', problems) == "café"
    assert bytes_to_text(b"caf\xe9", "x-" + "a" * 60, problems) == "café"
    assert problems == [
        UNKNOWN,
        f"unknown charset {'x-' + 'a' * 38!r}: the text was read by guessing its encoding",
    ]


def test_a_header_object_is_read_as_its_text():
    assert decode_words(Header("Order 302-1234567-1234567")) == "Order 302-1234567-1234567"


def test_a_folded_header_is_one_line():
    assert decode_words("Order\r\n 302\n\t1234") == "Order 302 1234"


def test_a_malformed_encoded_word_is_shown_as_it_stands():
    assert decode_words(" Hi =?utf-8?b?a?=") == " Hi =?utf-8?b?a?="


def test_an_encoded_word_in_an_unknown_charset_is_named():
    problems = []
    assert decode_words("=?utf8x?q?caf=E9?= ok", problems) == "café ok"
    assert problems == [UNKNOWN]


def test_html_becomes_text_without_scripts_styles_or_runs_of_blank_lines():
    markup = "<style>p {color: red}</style><script>track()</script><p>Hi</p>\n\n\n \n<p>there</p>"
    assert html_to_text(markup) == "Hi\n\nthere"


# Addresses


def test_a_sender_name_not_quoted_has_its_spaces_collapsed():
    mail = parse_mail(raw("From: Ann   Lee <Ann@Example.com>"))
    assert (mail.from_name, mail.from_address) == ("Ann Lee", "ann@example.com")
    mail = parse_mail(raw('From: "Ann   Lee" <ann@example.com>'))
    assert mail.from_name == "Ann   Lee"


def test_every_address_header_of_a_kind_is_read():
    mail = parse_mail(raw("To: a@example.com", "To: Bob <b@example.com>", "Cc: c@example.com"))
    assert (mail.to, mail.cc) == ("a@example.com, Bob <b@example.com>", "c@example.com")


def test_names_and_addresses_join_as_they_are_there():
    assert parsing._join([("Ann", "a@x.test"), ("", "b@x.test"), ("Team", "")]) == (
        "Ann <a@x.test>, b@x.test, Team"
    )


@pytest.mark.parametrize(
    "value",
    ["=?utf8x?q?Ann?= <a@example.com>", "=?utf8x?q?Ann?= <a@example.com>, b@example.com"],
    ids=["one address", "two addresses"],
)
def test_an_unknown_charset_in_any_address_header_is_named(value):
    for name in ("From", "To", "Cc"):
        mail = parse_mail(raw(f"{name}: {value}"))
        assert mail.problems == [UNKNOWN], name
        assert "Ann" in mail.from_name + mail.to + mail.cc


def test_an_address_header_the_parser_chokes_on_is_kept_as_text(monkeypatch):
    def choke(values):
        if values:
            raise ValueError("no")
        return []

    monkeypatch.setattr(parsing, "getaddresses", choke)
    mail = parse_mail(raw("From: =?utf8x?q?Ann?= <a@example.com>, b@example.com"))
    assert (mail.from_name, mail.from_address) == ("", "Ann <a@example.com>, b@example.com")
    assert mail.problems == ["unreadable From header", UNKNOWN]


def test_long_sender_names_and_addresses_are_cut_to_what_the_database_holds():
    mail = parse_mail(raw(f"From: {'N' * 300} <{'a' * 400}@example.com>"))
    assert (len(mail.from_name), len(mail.from_address)) == (255, 320)


# Dates


def test_a_date_keeps_its_zone_and_one_without_a_zone_is_utc():
    mail = parse_mail(raw("Date: Fri, 20 Nov 2026 12:00:00 +0200"))
    assert mail.date == datetime(2026, 11, 20, 12, tzinfo=timezone(timedelta(hours=2)))
    assert mail.date.utcoffset() == timedelta(hours=2)
    mail = parse_mail(raw("Date: Fri, 20 Nov 2026 12:00:00 -0000"))
    assert (mail.date, mail.date.tzinfo) == (datetime(2026, 11, 20, 12, tzinfo=UTC), UTC)
    assert mail.problems == []


# Identity and threading headers


def test_message_id_and_threading_headers_are_read_and_cut():
    mail = parse_mail(raw("Message-ID: junk <id-1@example.com> <id-2@example.com>"))
    assert mail.message_id == "<id-1@example.com>"
    long_id = f"<{'i' * 1200}@example.com>"
    ids = [f"<{n:04}-{'r' * 90}@example.com>" for n in range(50)]
    mail = parse_mail(raw(f"Message-ID: {long_id}", f"In-Reply-To: {' '.join(ids[:12])}", f"References: {' '.join(ids)}"))  # fmt: skip
    assert mail.message_id == long_id[:998]
    assert mail.in_reply_to == " ".join(ids[:12])[:998]
    assert mail.references == " ".join(ids)[:4000]


def test_all_headers_are_kept_decoded_one_a_line_and_cut():
    mail = parse_mail(raw("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=", "X-Note: ok"))
    assert mail.headers == "Subject: Grüße\nX-Note: ok"
    mail = parse_mail(raw(*[f"X-Long-{n}: {'v' * 990}" for n in range(30)]))
    assert len(mail.headers) == 20_000


def test_a_mail_without_headers_says_so():
    mail = parse_mail(b"\n\nJust a body")
    assert (mail.text, mail.problems) == ("Just a body", ["no headers"])


def test_problems_in_the_subject_are_named():
    mail = parse_mail(raw("Subject: =?utf8x?q?caf=E9?="))
    assert (mail.subject, mail.problems) == ("café", [UNKNOWN])


# The header block and the body


@pytest.mark.parametrize("crlf", [True, False], ids=["CRLF", "LF"])
def test_the_body_starts_right_after_the_first_blank_line(crlf):
    mail = parse_mail(raw("Subject: Hi", body="First.\r\n\r\nSecond." if crlf else "First.\n\nSecond.", crlf=crlf))  # fmt: skip
    assert (mail.subject, mail.text) == ("Hi", "First.\n\nSecond.")


def test_a_mail_that_is_only_headers_has_no_text():
    mail = parse_mail(b"Subject: Only this")
    assert (mail.subject, mail.text, mail.attachments) == ("Only this", "", [])


def test_a_byte_order_mark_before_the_headers_is_skipped():
    data = b"\xef\xbb\xbf" + raw("Subject: Hi")
    mail = parse_mail(data)
    assert (mail.subject, mail.text, mail.size) == ("Hi", "Hello", len(data))


def test_the_size_is_that_of_the_raw_bytes():
    data = raw("Subject: x", body="Grüße")
    assert parse_mail(data).size == len(data)


# Parts


def test_a_single_part_attachment_is_part_one_with_its_encoding():
    data = raw(
        "Content-Type: application/pdf", "Content-Transfer-Encoding: Base64 ", body="JVBERg=="
    )
    [pdf] = parse_mail(data).attachments
    assert (pdf.filename, pdf.part, pdf.content, pdf.encoding) == ("part-1", "1", b"%PDF", "base64")


def test_an_attachment_without_a_transfer_encoding_has_none():
    [pdf] = parse_mail(raw("Content-Type: application/pdf", body="%PDF")).attachments
    assert (pdf.content, pdf.encoding) == (b"%PDF", "")


def test_an_attachment_of_exactly_the_limit_keeps_its_content():
    data = raw("Content-Type: application/pdf", body="%PDF")
    assert parse_mail(data, max_attachment_bytes=4).attachments[0].content == b"%PDF"
    assert parse_mail(data, max_attachment_bytes=3).attachments[0].content is None


def test_long_attachment_names_are_cut_to_what_the_database_holds():
    data = multipart(
        f"Content-Type: application/{'x' * 150}\r\nContent-Transfer-Encoding: x-{'e' * 30}\r\n"
        f'Content-Disposition: attachment; filename="{"f" * 300}"\r\n\r\ndata'
    )
    [a] = parse_mail(data).attachments
    assert (len(a.filename), len(a.content_type), len(a.encoding)) == (255, 100, 20)


def test_a_text_marked_attachment_is_an_attachment_whatever_the_case():
    mail = multipart(
        "Content-Type: text/html\r\n\r\n<p>Hi</p>",
        "Content-Type: text/plain; charset=utf8x\r\n"
        'Content-Disposition: ATTACHMENT; filename="=?utf-8?q?Gr=C3=BC=C3=9Fe.txt?="\r\n\r\nnotes',
        "Content-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\nmore",
    )
    mail = parse_mail(mail)
    assert (mail.text, mail.html) == ("Hi", "<p>Hi</p>")
    assert [(a.filename, a.part, a.content) for a in mail.attachments] == [
        ("Grüße.txt", "2", b"notes"),
        ("part-3", "3", b"more"),
    ]
    assert mail.problems == []


def test_problems_in_a_part_and_its_file_name_are_named():
    mail = parse_mail(
        multipart(
            "Content-Type: text/plain; charset=utf8x\r\n\r\ncaf\xe9",
            'Content-Type: image/png; charset=utf8y\r\nContent-Disposition: attachment; filename="=?utf8z?q?a.png?="\r\n\r\npng',
        )
    )  # fmt: skip
    assert mail.text == "café"
    assert mail.attachments[0].filename == "a.png"
    assert mail.problems == [UNKNOWN, UNKNOWN.replace("utf8x", "utf8z")]


def test_the_text_is_read_with_newlines_and_only_the_first_text_is_the_body():
    mail = parse_mail(
        multipart("Content-Type: text/plain\r\n\r\na\r\nb", "Content-Type: text/plain\r\n\r\nc")
    )
    assert (mail.text, mail.html) == ("a\nb", "")
    assert [a.content for a in mail.attachments] == [b"c"]


def test_a_mail_with_text_and_html_keeps_its_own_text():
    mail = parse_mail(
        multipart(
            "Content-Type: text/plain\r\n\r\nPlain", "Content-Type: text/html\r\n\r\n<b>Rich</b>"
        )
    )
    assert (mail.text, mail.html) == ("Plain", "<b>Rich</b>")


def test_parts_inside_parts_are_numbered_as_imap_does_and_empty_ones_kept():
    inner = multipart(
        "Content-Type: image/png\r\n\r\npng", "Content-Type: image/gif\r\n\r\n", boundary="b1"
    )
    mail = parse_mail(multipart("Content-Type: text/plain\r\n\r\nHi", inner.decode()))
    assert [(a.part, a.filename, a.size) for a in mail.attachments] == [
        ("2.1", "part-2.1", 3),
        ("2.2", "part-2.2", 0),
    ]


def test_a_raw_utf8_file_name_in_a_multipart_mail_keeps_its_letters():
    data = multipart('Content-Type: image/png\r\nContent-Disposition: attachment; filename="Grüße.png"\r\n\r\npng')  # fmt: skip
    assert parse_mail(data).attachments[0].filename == "Grüße.png"


def test_what_python_finds_wrong_is_said_in_words():
    data = b"Content-Type: multipart/mixed\r\n\r\n--x\r\nbody\r\n"
    mail = parse_mail(data)
    assert "the mail says it has parts but names no boundary" in mail.problems
    assert defect_words(email.errors.NoBoundaryInMultipartDefect()) in mail.problems
    assert defect_words(email.errors.HeaderMissingRequiredValue()) == (
        "the mail's structure is damaged (HeaderMissingRequiredValue)"
    )


# When parsing fails


@pytest.mark.parametrize(
    ("where", "logged"),
    [("_HEADERS", "Mail {} could not be parsed"), ("_date", "Mail {} could not be parsed in full")],
)
def test_a_mail_that_cannot_be_parsed_keeps_its_raw_text(monkeypatch, caplog, where, logged):
    class Broken:
        def __call__(self, *args):
            raise RuntimeError("broken")

        parsebytes = __call__

    monkeypatch.setattr(parsing, where, Broken())
    data = b"Subject: x\r\n\r\n\xff" + b"y" * 200_100
    with caplog.at_level(logging.ERROR, logger="inbox.parsing"):
        mail = parse_mail(data)
    assert (mail.unparsable, mail.problems) == (True, [UNREADABLE])
    assert mail.text == "Subject: x\r\n\r\n\ufffd" + "y" * (200_000 - 15)
    [record] = caplog.records
    assert record.getMessage() == logged.format(mail.content_hash[:12])
