"""Pure parsing: every sample and every kind of broken mail gives something readable."""

import email

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inbox.parsing import bytes_to_text, clean_text, decode_words, parse_mail
from tests.conftest import examples
from tests.inbox.conftest import MANIFEST, sample


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["file"])
def test_every_sample_parses(entry):
    mail = parse_mail(sample(entry["file"]))
    assert not mail.unparsable
    assert mail.from_address
    assert mail.subject
    assert mail.text.strip()
    if entry.get("buyer_name"):
        assert mail.from_name.startswith(entry["buyer_name"])
        assert entry["order_id"] in mail.subject


def test_encoded_folded_subject_and_sender():
    mail = parse_mail(sample("buyer-german.eml"))
    assert mail.from_name == "Jürgen Böhm - Amazon Marketplace"
    assert mail.from_address == "zz0k1v7c9pl4t6r@marketplace.amazon.de"
    assert mail.subject == "Anfrage von Amazon-Kunde Jürgen Böhm (Bestellung: 302-7781120-6639125)"
    assert "beschädigt" in mail.text


def test_iso_2022_jp_body():
    mail = parse_mail(sample("buyer-japanese.eml"))
    assert "商品が届きません" in mail.text
    assert mail.from_name == "山田 花子 - Amazon Marketplace"


def test_html_only_mail_gets_text_for_search():
    mail = parse_mail(sample("unknown-policy-warning.eml"))
    assert mail.html
    assert "<" not in mail.text
    assert "B08XY4TT1Q" in mail.text


def test_attachment_is_kept_with_name_type_and_size():
    mail = parse_mail(sample("buyer-with-photo.eml"))
    [photo] = mail.attachments
    assert (photo.filename, photo.content_type) == ("torn-mat.jpg", "image/jpeg")
    assert photo.size == len(photo.content) > 100
    assert photo.part == "2"


def test_attachment_over_the_limit_keeps_only_its_metadata():
    mail = parse_mail(sample("buyer-with-photo.eml"), max_attachment_bytes=10)
    [photo] = mail.attachments
    assert photo.content is None
    assert photo.size > 10


def test_unknown_charset_and_bad_date_are_reported_not_raised():
    mail = parse_mail(sample("malformed-charset.eml"))
    assert mail.subject == "Invoice 会 overdue"
    assert "invoice 4471" in mail.text
    assert mail.date is None
    assert "unknown charset 'utf8x': the text was read by guessing its encoding" in mail.problems
    assert "invalid Date header" in mail.problems
    assert "\x00" not in mail.text


def test_no_message_id():
    mail = parse_mail(sample("no-message-id.eml"))
    assert mail.message_id == ""
    assert len(mail.content_hash) == 64


def test_garbage_is_stored_with_what_can_be_read():
    mail = parse_mail(b"\xff\xfe\x00garbage without headers\r\n\r\n\x00\x01")
    assert "\x00" not in mail.text + mail.subject
    assert mail.problems


def test_huge_header_is_cut():
    mail = parse_mail(b"Subject: " + b"x" * 100_000 + b"\r\n\r\nbody")
    assert len(mail.subject) <= 998


def test_threading_headers():
    raw = b"In-Reply-To: <a@x>\r\nReferences: <r1@x>\r\n <a@x>\r\nSubject: Re: q\r\n\r\nok"
    mail = parse_mail(raw)
    assert mail.in_reply_to == "<a@x>"
    assert mail.references == "<r1@x> <a@x>"


def test_decoding_helpers():
    assert decode_words("=?bogus?q?abc?=") == "abc"
    assert decode_words(None) == ""
    assert bytes_to_text(b"caf\xe9", None) == "café"
    assert bytes_to_text("ü".encode(), "utf-8") == "ü"


def test_a_surrogate_that_is_no_byte_is_replaced_not_raised():
    """UTF-7 spells a character outside the BMP as two halves; one alone is no text."""
    assert clean_text("a\ud800b \udfff") == "a\ufffdb \ufffd"
    raw = b"Subject: =?utf-7?Q?+2AA-?= ok\r\nContent-Type: text/plain; charset=utf-7\r\n\r\na +2AA-"
    mail = parse_mail(raw)
    assert (mail.unparsable, mail.subject, mail.text) == (False, "\ufffd ok", "a \ufffd")


def test_raw_text_beside_an_encoded_word_keeps_its_letters():
    assert decode_words("Grüße =?utf-8?q?J=C3=BCrgen?= 山田") == "Grüße Jürgen 山田"
    assert decode_words(r"C:\users =?utf-8?q?J=C3=BCrgen?=") == r"C:\users Jürgen"
    assert decode_words(r"Привет C:\users =?utf-8?q?J=C3=BCrgen?=") == r"Привет C:\users Jürgen"
    assert decode_words(r"=?broken C:\users") == r"=?broken C:\users"


def test_an_escape_written_in_a_subject_stays_text():
    """A sender's literal `\u202e` beside an encoded word must not become a real
    right-to-left override in what the assistant reads and the rules match."""
    subject = r"=?utf-8?q?Invoice?= C:\u202etxt.exe \U0001F600 \\"
    assert decode_words(subject) == r"Invoice C:\u202etxt.exe \U0001F600 \\"
    assert "\u202e" not in parse_mail(f"Subject: {subject}\r\n\r\nx".encode()).subject
    assert parse_mail(b"Subject: Gr\xc3\xbc\xc3\x9fe =?utf-8?q?J=C3=BCrgen?=\r\n\r\nx").subject == (
        "Grüße Jürgen"
    )


@settings(max_examples=examples(300), deadline=None)
@given(st.binary(max_size=2000))
def test_parse_never_raises_on_any_bytes(raw):
    mail = parse_mail(raw)
    for text in (mail.subject, mail.text, mail.from_name, mail.headers):
        assert "\x00" not in text
        text.encode("utf-8")  # storable: no lone surrogates


_ATOM = st.text(alphabet="abcXYZ019!#$%&'*+/=?^_`{|}~.- \t", max_size=12)
_QUOTED = st.text(alphabet="abc ,.;:<>@()[]'=?\t", max_size=12).map(lambda s: f'"{s}"')
_LOCAL = st.text(alphabet="abcXYZ.+-_%019", min_size=1, max_size=6)
_ADDRESS = st.builds(lambda a, b: f"{a}@{b}", _LOCAL, _LOCAL)
_HEADER = st.one_of(
    _ADDRESS,
    st.builds(
        lambda n, sp, a: f"{n}{sp}<{a}>", _ATOM | _QUOTED, st.sampled_from(["", " "]), _ADDRESS
    ),
    st.builds(lambda a: f" {a}\t", _ADDRESS),
    st.text(alphabet="ab .\"<>@,;:()=?_'\\\t-", max_size=20),
)


@settings(max_examples=examples(2000), deadline=None)
@given(_HEADER)
def test_the_one_address_fast_path_reads_as_the_full_parser_does(value):
    """A plain `Name <a@b>` skips the RFC 5322 parser; it must read the same."""
    from email.utils import getaddresses

    from inbox.parsing import _addresses, clean_text

    msg = email.message_from_string(f"From: {value}\n\nbody")
    if msg.get_all("From") is None or "\n" in value:
        return
    fast = _addresses(msg, "From", [])
    problems = []
    full = [(decode_words(n, problems), clean_text(a).strip().lower())
            for n, a in getaddresses([str(msg["From"])]) if n or a]  # fmt: skip
    assert fast == full
