"""Real-world mail defects (tests/inbox/corpus/, one file per defect) and a comparison with
Python's own parser: for every sample and every corpus mail, the desk keeps at least the
text and the attachments `email.message_from_bytes(raw, policy=default)` finds."""

import email
import logging
from email import policy
from pathlib import Path

import pytest

from inbox.parsing import UNREADABLE, parse_mail
from tests.inbox.conftest import SAMPLES

CORPUS = Path(__file__).resolve().parent / "corpus"
EVERY_MAIL = sorted(SAMPLES.glob("*.eml")) + sorted(CORPUS.glob("*.eml"))


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def _letters(text: str) -> str:
    """Letters and digits only: the two parsers may differ in line ends, spacing and how a
    byte nobody can read is shown, not in the words."""
    return "".join(ch for ch in text if ch.isalnum())


def _stdlib_text(part) -> str | None:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # a charset Python does not know: nothing to compare
        return None


def stdlib_reading(raw: bytes) -> tuple[list[str], list[bytes]]:
    """The texts of the body Python's parser picks, and the content of every other part."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    bodies = [msg.get_body(preferencelist=(kind,)) for kind in ("plain", "html")]
    bodies = [body for body in bodies if body is not None]
    texts = [text for text in map(_stdlib_text, bodies) if text and text.strip()]
    others = [
        part.get_payload(decode=True) or b""
        for part in msg.walk()
        if not part.is_multipart() and not any(part is body for body in bodies)
    ]
    return texts, [content for content in others if content.strip()]


@pytest.mark.parametrize("path", EVERY_MAIL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_desk_keeps_what_pythons_parser_finds(path):
    raw = path.read_bytes()
    texts, contents = stdlib_reading(raw)
    mail = parse_mail(raw)
    assert not mail.unparsable, mail.problems
    # Where Python reads a header block as text (a byte-order mark before it), the desk
    # reads headers: both are kept.
    kept_text = _letters(mail.headers + "\n" + mail.text + mail.html)
    for text in texts:
        assert _letters(text) in kept_text
    kept = {a.content for a in mail.attachments if a.content}
    for content in contents:
        as_text = _letters(content.decode("utf-8", "replace"))
        inside = any(content in whole for whole in kept)  # a part of a returned mail
        assert content in kept or inside or (as_text and as_text in kept_text), content[:60]


def test_raw_8bit_filenames_keep_every_attachment_and_their_names():
    mail = parse_mail(corpus("8bit-filenames.eml"))
    assert not mail.problems
    assert [a.filename for a in mail.attachments] == [
        "Rechnung März.pdf",  # raw UTF-8
        "Grüße.png",  # raw Latin-1
        "Béstand.csv",
    ]
    assert all(a.content for a in mail.attachments)
    assert mail.text.startswith("Anbei die Rechnung")


def test_raw_8bit_subject_and_sender_name():
    mail = parse_mail(corpus("8bit-subject-and-sender.eml"))
    assert (mail.from_name, mail.subject) == ("Jürgen Böhm", "Lieferung für März")


@pytest.mark.parametrize(
    "name, text, attachments",
    [
        ("inline-text-with-filename.eml", "Our new prices start", []),
        ("inline-text-with-filename-multipart.eml", "Payment of 412.50 USD", ["advice.pdf"]),
    ],
)
def test_a_sole_inline_text_part_with_a_filename_is_the_text(name, text, attachments):
    mail = parse_mail(corpus(name))
    assert mail.text.startswith(text)
    assert [a.filename for a in mail.attachments] == attachments


def test_a_boundary_folded_over_two_lines():
    mail = parse_mail(corpus("folded-boundary.eml"))
    assert mail.text.startswith("The shipment documents are attached")
    assert [a.filename for a in mail.attachments] == [
        "invoice.pdf",
        "packing-list.csv",
        "pallet.png",
    ]
    assert not mail.problems
    nested = parse_mail(corpus("folded-boundary-nested.eml"))
    assert nested.text.startswith("The new catalogue")
    assert "<p>The new catalogue" in nested.html
    assert [a.filename for a in nested.attachments] == ["catalogue.pdf"]


def test_a_byte_order_mark_before_the_headers():
    mail = parse_mail(corpus("bom-before-headers.eml"))
    assert (mail.from_address, mail.subject) == ("sales@supplier.test", "Your storage fees")
    assert mail.text.startswith("Storage fees")
    assert not mail.problems


@pytest.mark.parametrize(
    "name, subject, text",
    [
        ("charset-iso-8859-8-i.eml", "הזמנה", "שלום, ההזמנה שלי"),
        ("charset-x-mac-cyrillic.eml", "Заказ", "Здравствуйте! Когда"),
        ("charset-x-mac-roman.eml", "Invoice", "Invoice total: 129,00 € – due"),
        ("charset-utf8-spelling.eml", "Delivery question", "Könnten Sie"),
        # Labelled Latin-1, written in Windows-1252 (curly quotes), as mail often is.
        ("charset-latin-1-spelling.eml", "Retour", "Bonjour, je voudrais retourner l’article"),
        ("charset-iso_8859-1-spelling.eml", "Devolución", "Hola, el artículo llegó dañado"),
    ],
)
def test_charset_aliases_are_read(name, subject, text):
    mail = parse_mail(corpus(name))
    assert mail.subject == subject
    assert mail.text.startswith(text)
    assert not mail.problems


def test_an_unknown_charset_is_read_by_detection_and_said():
    mail = parse_mail(corpus("charset-unknown-detected.eml"))
    assert mail.text.startswith("Уважаемый продавец, ваш счёт номер 4471 просрочен.")
    assert mail.problems == [
        "unknown charset 'x-nobody-knows-this': the text was read by guessing its encoding"
    ]


def test_a_codec_that_is_no_charset_and_an_odd_rfc2231_filename():
    mail = parse_mail(corpus("odd-charset-names.eml"))
    assert not mail.unparsable
    assert mail.text.startswith("The shipping label is attached.")
    [label] = mail.attachments
    assert label.filename.startswith("label ") and label.filename.endswith(".pdf")


def test_a_problem_is_said_in_words_and_the_exception_logged(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise AttributeError("'Header' object has no attribute 'split'")

    monkeypatch.setattr("inbox.parsing._walk", broken)
    with caplog.at_level(logging.ERROR, logger="inbox.parsing"):
        mail = parse_mail(corpus("folded-boundary.eml"))
    assert mail.unparsable
    assert mail.problems == [UNREADABLE]
    assert "AttributeError" not in " ".join(mail.problems)
    assert "AttributeError" in caplog.text


@pytest.mark.parametrize("path", EVERY_MAIL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reports_and_mail_inside_mail_are_kept_as_pythons_parser_sees_them(path):
    """Every message/* part Python's parser gives as an attachment (a delivery or feedback
    report, a returned or forwarded mail) is one attachment in the desk, with its bytes."""
    raw = path.read_bytes()
    python = [
        part
        for part in email.message_from_bytes(raw, policy=policy.default).iter_attachments()
        if part.get_content_maintype() == "message"
    ]
    kept = [a for a in parse_mail(raw).attachments if a.content_type.startswith("message/")]
    assert [a.content_type for a in kept] == [p.get_content_type() for p in python]
    for attachment, part in zip(kept, python, strict=True):
        inner = part.get_payload()
        first = inner[0] if isinstance(inner, list) else part
        for key in list(first.keys())[:3]:  # the report's or the mail's first header lines
            assert key.encode() in attachment.content, (key, attachment.content[:200])


@pytest.mark.parametrize(
    ("name", "types", "text"),
    [
        ("dsn-returned-message.eml", ["message/delivery-status", "message/rfc822"],
         "could not\nbe delivered"),
        ("dsn-returned-headers.eml", ["message/delivery-status", "text/rfc822-headers"],
         "Delivery has failed"),
        ("arf-feedback-report.eml", ["message/feedback-report", "message/rfc822"],
         "email abuse report"),
        ("forwarded-as-attachment.eml", ["message/rfc822"], "Here it is, forwarded."),
    ],
)  # fmt: skip
def test_a_report_keeps_its_words_as_the_text_and_its_parts_as_attachments(name, types, text):
    mail = parse_mail(corpus(name))
    assert text in mail.text
    assert [a.content_type for a in mail.attachments] == types
    assert all(a.content and a.size == len(a.content) for a in mail.attachments)
    if "message/rfc822" in types:
        returned = next(a for a in mail.attachments if a.content_type == "message/rfc822")
        assert returned.filename.endswith(".eml")
        assert b"Message-ID: <" in returned.content


def test_a_forwarded_mails_text_is_not_taken_for_the_mails_own():
    mail = parse_mail(corpus("forwarded-as-attachment.eml"))
    assert "Invoice 2026-118" not in mail.text and not mail.html
    [invoice] = mail.attachments
    assert invoice.filename == "invoice.eml" and b"400 sets at $4.10" in invoice.content
