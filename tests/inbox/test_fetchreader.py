"""The first sync's FETCH answers read by pattern give exactly what imapclient's parser
gives, for the plain shapes and for every unusual one (which it hands to imapclient)."""

import pytest
from imapclient.response_parser import parse_fetch_response

from inbox import fetchreader
from inbox.fetchreader import read_fetch

DATE = b'INTERNALDATE "07-Dec-2026 10:00:00 +0100"'
SHAPES = {
    "sizes": [b"1 (UID 5 RFC822.SIZE 1234)", b"2 (RFC822.SIZE 88 UID 9)"],
    "body first, the rest after the literal": [
        (b"1 (BODY[] {5}", b"hello"),
        b" UID 5 FLAGS (\\Seen) " + DATE + b")",
    ],
    "body last": [(b"3 (UID 7 FLAGS (\\Seen $Forwarded) " + DATE + b" BODY[] {3}", b"a)c"), b")"],
    "no flags, a date with a space": [
        (b'4 (UID 8 FLAGS () INTERNALDATE " 7-Dec-2026 10:00:00 +0000" BODY[] {0}', b""),
        b")",
    ],
    "a literal holding a closing parenthesis and a brace": [
        (b"5 (UID 10 BODY[] {6}", b"x)}{1}"),
        b" FLAGS (\\Answered))",
    ],
    "an empty body sent as NIL": [b"6 (UID 11 BODY[] NIL FLAGS ())"],
    "a body sent quoted": [b'7 (UID 12 BODY[] "hi" FLAGS ())'],
    "an unsolicited flags update without a UID": [
        (b"1 (UID 5 BODY[] {2}", b"ok"),
        b")",
        b"9 (FLAGS (\\Deleted))",
    ],
    "an item the fast path does not know": [b"1 (UID 5 RFC822.SIZE 3 X-GM-MSGID 123)"],
    "a keyword with a bracket": [(b"1 (UID 5 FLAGS ($Label[1]) BODY[] {2}", b"ok"), b")"],
    "a second literal": [(b"1 (UID 5 BODY[] {2}", b"ok"), (b" BODY[1] {1}", b"x"), b")"],
    "a literal of another length": [(b"1 (UID 5 BODY[] {9}", b"ok"), b")"],
    "lower case": [b"1 (uid 5 rfc822.size 3)"],
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("normalise", [True, False])
def test_the_same_answer_as_imapclient(shape, normalise):
    data = SHAPES[shape]
    try:
        expected = parse_fetch_response(list(data), normalise, True)
    except Exception as error:  # imapclient refuses it: so does the fast path
        with pytest.raises(type(error)):
            read_fetch(list(data), normalise)
        return
    assert read_fetch(list(data), normalise) == expected


@pytest.mark.parametrize("shape", ["sizes", "body first, the rest after the literal", "body last"])
def test_the_plain_shapes_are_read_without_imapclient(shape, monkeypatch):
    def refuse(*args):
        raise AssertionError("handed to imapclient")

    monkeypatch.setattr(fetchreader, "parse_fetch_response", refuse)
    assert read_fetch(list(SHAPES[shape]))


def test_dovecot_answers_read_the_same(mailbox):
    """Real answers from Dovecot, flags and dates set, read both ways."""
    from inbox.uids import sequence_set

    with mailbox.client() as client:
        for i in range(5):
            body = f"Subject: {i}\r\n\r\nbody ) {{3}} {i}\r\n".encode() * (i + 1)
            client.append("INBOX", body, flags=[b"\\Seen", b"$Forwarded"][: i % 3])
        client.select_folder("INBOX", readonly=True)
        uids = client.search()
        for items in ("(RFC822.SIZE)", "(BODY.PEEK[] FLAGS INTERNALDATE)"):
            tag = client._imap._command("UID", "FETCH", sequence_set(uids), items)
            typ, data = client._imap._command_complete("FETCH", tag)
            typ, data = client._imap._untagged_response(typ, data, "FETCH")
            expected = parse_fetch_response(list(data), True, True)
            assert read_fetch(list(data)) == expected and len(expected) == 5


@pytest.mark.django_db
def test_the_protocol_is_formatted_for_its_log_only_when_that_log_is_on(
    desk_mailbox, mailbox, caplog, monkeypatch
):
    """imaplib formats every line of the protocol for imapclient's log, a fetched mail's
    whole repr included, whether the log keeps it or not: the desk's connections skip that
    unless the log is on, and then it is logged as before."""
    import imaplib
    import logging

    from inbox.imap import PROTOCOL_LOG, connect
    from tests.inbox.conftest import make_mail

    with mailbox.client() as client:
        client.append("INBOX", make_mail(1, body="x" * 5000))
    formatted = []
    real = imaplib.IMAP4._append_untagged

    def counting(self, typ, dat):
        if self.debug >= 5:
            formatted.append(typ)
        return real(self, typ, dat)

    monkeypatch.setattr(imaplib.IMAP4, "_append_untagged", counting)
    for level, logged in ((logging.INFO, False), (logging.DEBUG, True)):
        caplog.set_level(level, logger=PROTOCOL_LOG)
        caplog.clear()
        formatted.clear()
        with connect(desk_mailbox) as conn:
            conn.examine("INBOX")
            (mail,) = conn.fetch(conn.uids_after(0))
        assert b"Message number 1" in mail.raw and len(mail.raw) > 5000
        assert bool(formatted) is logged
        assert any(r.name == PROTOCOL_LOG for r in caplog.records) is logged
