"""Charsets as real mail names them, and text from bytes whatever they claim. Pure."""

import random

import pytest

from inbox.charsets import codec_for, decode, detect, header_text, normalise


@pytest.mark.parametrize(
    ("label", "expected"),
    [(None, ""), ("  \"'UTF-8'\"  ", "utf-8"), ("'utf-8'", "utf-8"), ("UTF-8'en'", "utf-8"), ("utf-8'en'%E2%82%AC", "utf-8"),
     ("utf-8; format=flowed; delsp=yes", "utf-8"), ("X-Mac-Roman", "mac-roman"),
     ("ISO_8859-1", "iso-8859-1"), ("iso-8859_1", "iso-8859-1"), ("UTF_8", "utf-8"),
     ("ks_c_5601-1987", "ks_c_5601-1987")],
)  # fmt: skip
def test_a_charset_label_is_read_as_mail_writes_it(label, expected):
    assert normalise(label) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [("sjis", "cp932"), ("x-sjis", "cp932"), ("ms-932", "cp932"), ("ibm-437", "cp437"),
     ("cp-1250", "cp1250"), ("iso-8859-8-i", "iso8859-8"), ("windows-874", "cp874"),
     ("UTF-8", "utf-8")],
)  # fmt: skip
def test_mails_names_for_charsets_are_known(label, expected):
    assert codec_for(label) == expected


@pytest.mark.parametrize("label", ["base64", "rot13", "zlib", "undefined", "unknown-8bit", ""])
def test_a_codec_that_is_no_charset_is_not_one(label):
    assert codec_for(label) is None


def test_utf_8_in_a_mail_that_says_ascii_is_read_as_utf_8():
    assert decode("café".encode(), "us-ascii") == ("café", True)
    assert decode(b"cafe", "us-ascii") == ("cafe", True)


def test_a_byte_the_declared_charset_lacks_is_replaced_not_fatal():
    assert decode(b"ok\x81", "windows-1252") == ("ok\ufffd", True)


def test_a_charset_python_cannot_read_text_with_is_detected_and_reported():
    assert decode(b"caf\xe9", "idna") == ("café", False)


def test_bytes_of_no_known_charset_are_windows_1252_with_gaps():
    assert detect(b"caf\xe9 \x81") == "café \ufffd"


def test_thirty_two_bytes_are_enough_to_guess_the_charset():
    cyrillic = "Привет мир, как дела у тебя сейч"
    assert detect(cyrillic.encode("cp1251")) == cyrillic
    assert detect(cyrillic[:31].encode("cp1251")) == cyrillic[:31].encode("cp1251").decode("cp1252")


def test_a_header_in_raw_bytes_is_utf_8_else_windows_1252():
    assert header_text("J\udcc3\udcbcrgen") == "Jürgen"
    assert header_text("J\udcfc\udc81rgen") == "Jü\ufffdrgen"


def test_a_header_already_in_unicode_is_read_as_it_stands():
    import email

    from inbox.mimepolicy import forgiving

    msg = email.message_from_string("Subject: Grüße\nFrom: a@b.test\n\nx", policy=forgiving)
    assert (msg["Subject"], msg["From"]) == ("Grüße", "a@b.test")


def test_text_in_an_unknown_or_undeclared_charset_is_detected():
    assert decode(b"caf\xe9", "utf8x") == ("café", False)
    assert decode(b"caf\xe9", "unknown-8bit") == ("café", True)


def test_iso_8859_1_mail_keeps_windows_1252_curly_quotes():
    assert decode(b"\x93hi\x94", "iso-8859-1") == ("\u201chi\u201d", True)


def test_a_folded_header_or_one_in_raw_utf_8_reads_whole():
    import email

    from inbox.mimepolicy import forgiving

    msg = email.message_from_bytes(b"Subject: a\n b\nFrom: J\xc3\xbcrgen\n\nx", policy=forgiving)
    assert (msg["Subject"], msg["From"]) == ("a b", "Jürgen")


RUSSIAN = (
    "Здравствуйте, где мой заказ? Посылка не пришла уже две недели. Пожалуйста, проверьте "
    "статус доставки и сообщите мне номер отслеживания. Спасибо за помощь, с уважением, Иван "
    "Петров. Товар был оплачен вовремя, но курьер так и не приехал."
)
GREEK = (
    "Καλησπέρα, πού είναι η παραγγελία μου; Δεν έχει φτάσει ακόμα και περιμένω δύο εβδομάδες. "
    "Παρακαλώ ελέγξτε την αποστολή και στείλτε μου τον αριθμό παρακολούθησης. Ευχαριστώ πολύ, "
    "Γιώργος Παπαδόπουλος. Το προϊόν πληρώθηκε έγκαιρα αλλά ο κούριερ δεν ήρθε ποτέ."
)
JAPANESE = (
    "ご注文の商品がまだ届いておりません。ご確認をお願いいたします。配送状況を教えていただけますか。"
    "よろしくお願い申し上げます。山田太郎より。商品の色が写真と違うようです。返品の手続きについて"
    "教えてください。"
)


def seller_text(sample: str, encoding: str, size: int) -> str:
    """About `size` bytes of buyer mail in `sample`'s words, shuffled (a seeded draw)."""
    rng = random.Random(encoding)
    words = sample.split(" ") if " " in sample else list(sample)
    joiner = " " if " " in sample else ""
    out, total = [], 0
    while total < size:
        word = rng.choice(words)
        out.append(word)
        total += len(word.encode(encoding)) + len(joiner)
    return joiner.join(out)


@pytest.mark.parametrize(
    ("sample", "encoding", "bad"),
    [(RUSSIAN, "cp1251", b"\x98"), (GREEK, "cp1253", b"\xaa"), (JAPANESE, "euc_jp", b"\xff")],
)
def test_one_bad_byte_past_the_detection_window_is_replaced_not_mojibake(sample, encoding, bad):
    """Detection reads the first 200 KB; a byte the detected encoding cannot read further on
    becomes a replacement character, and the rest of the text stays in its script."""
    head = seller_text(sample, encoding, 210_000)
    tail = seller_text(sample[::-1], encoding, 20_000)
    found = detect(head.encode(encoding) + bad + tail.encode(encoding))
    assert found.startswith(head)
    assert found.endswith(tail)
    assert 1 <= found.count("\ufffd") <= 2
