"""The real servers the suite stands on: Dovecot, the SMTP sink and the HTTP stand-in."""

import smtplib
from email.message import EmailMessage

import imapclient
import pytest
import requests
from imapclient.imapclient import JUNK, TRASH

from sellerdesk.devservers.smtp import SmtpServer
from sellerdesk.devservers.standin import Fault, Response, StandIn


def test_dovecot_append_fetch_and_move_to_trash(mailbox):
    mailbox.append("INBOX", b"From: a@b.test\r\nSubject: hello\r\n\r\nbody\r\n")
    with mailbox.client() as client:
        assert client.find_special_folder(JUNK) == "Spam"
        trash = client.find_special_folder(TRASH)
        assert trash == "Trash"
        client.select_folder("INBOX")
        uids = client.search()
        assert len(uids) == 1
        fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])[uids[0]]
        assert b"Subject: hello" in fetched[b"BODY[]"]
        assert b"\\Seen" not in fetched[b"FLAGS"]
        client.move(uids, trash)
        assert client.search() == []
        client.select_folder(trash)
        assert len(client.search()) == 1


def test_each_test_gets_its_own_empty_mailbox(mailbox):
    with mailbox.client() as client:
        for folder in ("INBOX", "Spam", "Trash"):
            client.select_folder(folder, readonly=True)
            assert client.search() == []


def test_dovecot_refuses_a_wrong_password(dovecot):
    client = imapclient.IMAPClient("127.0.0.1", port=dovecot.port, ssl=False, timeout=5)
    with pytest.raises(imapclient.exceptions.LoginError):
        client.login("someone", "wrong")


def test_smtp_sink_captures_what_is_sent(smtp_server):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "me@seller.test", "b@x.test", "Hi"
    message.set_content("Thanks for your order.")
    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5) as smtp:
        smtp.send_message(message)
    [received] = smtp_server.received
    assert received.rcpt_tos == ["b@x.test"]
    assert received.message["Subject"] == "Hi"
    assert "Thanks for your order." in received.message.get_content()


def test_smtp_sink_can_refuse(smtp_server):
    smtp_server.sink.reply = "550 5.7.1 Sender not allowed"
    with (
        smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5) as smtp,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        smtp.sendmail("me@seller.test", ["b@x.test"], b"Subject: x\r\n\r\ny")
    assert refused.value.smtp_code == 550
    assert smtp_server.received == []


def test_smtp_auth():
    with SmtpServer(user="desk", password="s3cret") as server:
        with smtplib.SMTP("127.0.0.1", server.port, timeout=5) as smtp:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                smtp.login("desk", "wrong")
            smtp.login("desk", "s3cret")
            smtp.sendmail("me@seller.test", ["b@x.test"], b"Subject: x\r\n\r\ny")
        assert len(server.received) == 1


class EchoStandIn(StandIn):
    def route(self, request):
        return Response(201, {"path": request.path, "form": request.form()})


def test_standin_answers_records_and_misbehaves_on_request():
    with EchoStandIn() as standin:
        standin.fail_next(Fault(Response(429, {"code": 20429}, {"Retry-After": "1"})))
        throttled = requests.post(standin.base_url + "/x", data={"a": "1"}, timeout=5)
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "1"
        ok = requests.post(standin.base_url + "/x", data={"a": "1"}, timeout=5)
        assert ok.status_code == 201
        assert ok.json() == {"path": "/x", "form": {"a": ["1"]}}
        assert len(standin.requests) == 2
        standin.fail_next(Fault(delay=0.5))
        with pytest.raises(requests.Timeout):
            requests.get(standin.base_url + "/slow", timeout=0.1)
