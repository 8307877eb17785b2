"""Mutated MIME through the whole way in: parse, store, rules and the actions they start.

Each case is one of the realistic sample mails, broken by one to four mutations: flipped,
inserted and cut bytes, NULs and lone CRs, duplicated and dropped lines, broken multipart
boundaries, unknown charsets, wrong transfer encodings, endless lines and mangled encoded
words. Every case must be stored (with what could be read, or its raw bytes and the
problem), classified, and shown; nothing may crash, and no mail may be lost or moved
without a recorded action. The file-backed mailbox runs the same sync, rules and actions
as IMAP; a smaller run goes through Dovecot itself.
"""

import uuid

from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buyers.models import BuyerMessage, Conversation
from inbox.models import (
    Attachment,
    MailAction,
    Mailbox,
    Message,
    MessageContent,
)
from inbox.samplestore import SampleMailStore
from inbox.sync import mailbox_sync
from tests.inbox.conftest import MANIFEST, sample

SAMPLES = [(entry["folder"], sample(entry["file"])) for entry in MANIFEST]
CHARSETS = [b"utf-8", b"x-unknown-42", b"iso-2022-jp", b"utf-7", b"", b'"utf-8', b"koi8-r"]
ENCODINGS = [b"base64", b"quoted-printable", b"8bit", b"x-uuencode", b"", b"base64; junk"]
JUNK = st.binary(min_size=1, max_size=64) | st.sampled_from(
    [b"\x00", b"\r", b"\r\n\r\n", b"=?utf-8?B?////?=", b"--", b"\xff\xfe", b"\n\t folded"]
)


def _lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\n")


@st.composite
def mutation(draw, raw: bytes) -> bytes:
    kind = draw(
        st.sampled_from(
            ["flip", "insert", "cut", "dup", "drop", "boundary", "charset", "cte", "long", "word"]
        )
    )
    at = draw(st.integers(0, max(len(raw) - 1, 0)))
    if kind == "flip" and raw:
        return raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    if kind == "insert":
        return raw[:at] + draw(JUNK) + raw[at:]
    if kind == "cut":
        return raw[:at]
    lines = _lines(raw)
    line = draw(st.integers(0, len(lines) - 1))
    if kind == "dup":
        lines.insert(line, lines[line])
        return b"\n".join(lines)
    if kind == "drop":
        del lines[line]
        return b"\n".join(lines)
    if kind == "boundary":
        return raw.replace(b"boundary=", b"boundary=" + draw(JUNK), 1).replace(b"--", b"-", 1)
    if kind == "charset":
        return raw.replace(b"charset=", b"charset=" + draw(st.sampled_from(CHARSETS)) + b";x=")
    if kind == "cte":
        wanted = draw(st.sampled_from(ENCODINGS))
        return raw.replace(
            b"Content-Transfer-Encoding: ", b"Content-Transfer-Encoding: " + wanted + b" "
        )
    if kind == "long":
        return raw[:at] + b"X" * draw(st.integers(1000, 200_000)) + raw[at:]
    return (
        raw[:at] + b"=?" + draw(st.sampled_from(CHARSETS)) + b"?Q?" + draw(JUNK) + b"?=" + raw[at:]
    )


@st.composite
def mutated_mail(draw) -> tuple[str, bytes]:
    folder, raw = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        raw = draw(mutation(raw))
    return folder, raw


def new_mailbox(tmp_path, mails) -> Mailbox:
    path = tmp_path / f"mutated-{uuid.uuid4().hex}.json"
    SampleMailStore.create(path, mails)
    return Mailbox.objects.create(
        name=f"m-{uuid.uuid4().hex[:8]}", host="demo.invalid", port=143, use_ssl=False,
        username="demo", password="demo", demo_file=str(path),
    )  # fmt: skip


def assert_fits_every_database(mailbox: Mailbox) -> None:
    """What SQLite takes but PostgreSQL refuses: a NUL in text, text over a column's
    length. Checked here so the SQLite pass finds it too."""
    rows = [
        *Message.objects.filter(mailbox=mailbox),
        *MessageContent.objects.filter(message__mailbox=mailbox),
        *Attachment.objects.filter(message__mailbox=mailbox),
        *BuyerMessage.objects.filter(message__mailbox=mailbox),
        *Conversation.objects.filter(messages__message__mailbox=mailbox),
    ]
    for row in rows:
        for f in row._meta.concrete_fields:
            if isinstance(f, (models.CharField, models.TextField)):
                value = getattr(row, f.attname) or ""
                assert "\x00" not in value, f"NUL in {row._meta.label}.{f.name}"
                if f.max_length:
                    assert len(value) <= f.max_length, f"{row._meta.label}.{f.name} too long"


def assert_nothing_lost(mailbox: Mailbox, mails: list[tuple[str, bytes]]) -> None:
    stored = Message.objects.filter(mailbox=mailbox)
    assert stored.count() == len(mails), "every mail is stored once"
    assert not stored.filter(kind="").exists(), "every mail is classified"
    with SampleMailStore(mailbox.demo_file) as store:
        on_server = sum(store.examine(folder).exists for folder in ("INBOX", "Spam", "Trash"))
    assert on_server == len(mails), "no mail disappeared from the server"
    for message in stored.exclude(folder=F("origin")):
        assert MailAction.objects.filter(message=message, state="done").exists(), (
            "a mail left its folder only through a recorded action"
        )


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(mails=st.lists(mutated_mail(), min_size=25, max_size=25))
def test_mutated_mail_is_stored_classified_and_shown(
    mails, tmp_path, seed_rules, run_tasks_inline, client, assistant
):
    mailbox = new_mailbox(tmp_path, mails)
    with run_tasks_inline():
        mailbox_sync(mailbox=mailbox)
    assert_nothing_lost(mailbox, mails)
    assert_fits_every_database(mailbox)
    client.force_login(assistant)
    for message in Message.objects.filter(mailbox=mailbox).order_by("-size")[:3]:
        page = client.get(reverse("mail-detail", args=[message.pk]))
        assert page.status_code == 200
        if message.parse_problems:
            assert escape(message.parse_problems[:20]) in page.content.decode()
