"""Every call to another system leaves one structured log record, and no secret reaches a
log, a page or an error report."""

import json
import logging
import sys

import pytest
from django.core.mail import EmailMessage
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from dashboard.services import account_from_settings, account_pull
from escalations.chat import ChatError, chat_post
from escalations.sms import SmsError, TwilioSms
from inbox.imap import MailLoginError
from inbox.models import Mailbox
from inbox.sync import mailbox_sync
from sellerdesk.devservers import free_port
from sellerdesk.devservers.smtp import SmtpServer
from sellerdesk.devservers.standin import Fault, Response
from sellerdesk.logs import JsonFormatter
from sellerdesk.smtp import MailSendError, smtp_send
from tests.escalations.fixtures import OWNER_PHONE
from tests.inbox.conftest import make_mail

pytestmark = pytest.mark.django_db

FIELDS = {"system", "operation", "duration_ms", "outcome"}


def outside(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "sellerdesk.outside"]


def calls(caplog) -> set[tuple[str, str, str]]:
    return {(r.system, r.operation, r.outcome) for r in outside(caplog)}


def mail(to="buyer@example.test") -> EmailMessage:
    return EmailMessage("Your order", "Hello", "orders@seller.test", [to])


def test_each_outside_system_logs_system_operation_duration_and_outcome(
    caplog, mailbox, desk_mailbox, smtp, twilio, spapi, chat_hook, settings
):
    caplog.set_level(logging.INFO, logger="sellerdesk.outside")
    mailbox.append("INBOX", make_mail(1))
    mailbox_sync(mailbox=desk_mailbox)
    smtp_send(mail())
    TwilioSms().send(to=OWNER_PHONE, body="One unknown mail. -AB")
    account_pull(account=account_from_settings())
    chat_post(text="One unknown mail. -AB")

    seen = calls(caplog)
    for system, operation in [
        ("imap", "login"),
        ("imap", "fetch"),
        ("smtp", "send"),
        ("twilio", "messages.create"),
        ("amazon", "searchOrders"),
        ("amazon", "getReportDocument"),
        ("chat", "post"),
    ]:
        assert (system, operation, "ok") in seen, (system, operation, sorted(seen))
    for record in outside(caplog):
        assert record.levelno == logging.INFO
        assert isinstance(record.duration_ms, float) and record.duration_ms >= 0
        message = record.getMessage()
        assert f"system={record.system}" in message and "duration_ms=" in message


def test_failures_are_logged_as_warnings_with_their_outcome(caplog, desk_mailbox, settings, twilio):
    caplog.set_level(logging.INFO, logger="sellerdesk.outside")
    desk_mailbox.password = "not-the-password"
    desk_mailbox.save()
    with pytest.raises(MailLoginError):
        mailbox_sync(mailbox=desk_mailbox)

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with pytest.raises(MailSendError):
        smtp_send(mail())

    twilio.fail_next(Fault(Response(500, {"code": 20500, "message": "Internal"})))
    with pytest.raises(SmsError):
        TwilioSms().send(to=OWNER_PHONE, body="One unknown mail. -AB")

    settings.OWNER_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/hook"
    with pytest.raises(ChatError):
        chat_post(text="x")

    failed = {(r.system, r.outcome) for r in outside(caplog) if r.levelno == logging.WARNING}
    assert ("imap", "login_refused") in failed
    assert ("smtp", "MailSendError") in failed
    assert ("twilio", "SmsError") in failed
    assert ("chat", "ChatError") in failed


def test_json_format_carries_the_fields(caplog, smtp):
    caplog.set_level(logging.INFO, logger="sellerdesk.outside")
    smtp_send(mail())
    (record,) = outside(caplog)
    data = json.loads(JsonFormatter().format(record))
    assert data.keys() >= FIELDS
    assert data["system"] == "smtp" and data["outcome"] == "ok" and data["level"] == "INFO"


SECRETS = {
    "imap": "imap-Pa55word-9f2e",
    "smtp": "smtp-Pa55word-77c1",
    "secret_key": "django-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
}


def test_no_secret_in_logs_pages_or_error_reports(
    caplog, client, admin_user, mailbox, desk_mailbox, twilio, spapi, settings
):
    """Every credential the desk holds, used in successful and failing calls with the most
    verbose logging, then searched for in the captured logs, the admin and settings pages,
    and Django's error report."""
    caplog.set_level(logging.DEBUG)
    settings.SECRET_KEY = SECRETS["secret_key"]
    smtp_auth = SmtpServer(user="orders", password="right-password").start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_auth.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "orders", SECRETS["smtp"]
    settings.IMAP_URL = f"imap://{mailbox.user}:{SECRETS['imap']}@127.0.0.1:993"
    try:
        with pytest.raises(MailSendError):  # the wrong password: refused
            smtp_send(mail())
    finally:
        smtp_auth.stop()

    mailbox.append("INBOX", make_mail(1))
    mailbox_sync(mailbox=desk_mailbox)  # the right password
    wrong = Mailbox.objects.create(
        name="wrong", host="127.0.0.1", port=desk_mailbox.port, use_ssl=False,
        username=mailbox.user, password=SECRETS["imap"],
    )  # fmt: skip
    with pytest.raises(MailLoginError):
        mailbox_sync(mailbox=wrong)

    TwilioSms().send(to=OWNER_PHONE, body="One unknown mail. -AB")
    twilio.fail_next(Fault(Response(401, {"code": 20003, "message": "Authenticate"})))
    with pytest.raises(SmsError):
        TwilioSms().send(to=OWNER_PHONE, body="Second. -AB")
    account_pull(account=account_from_settings())

    secrets = [
        *SECRETS.values(),
        mailbox.server.password,
        settings.TWILIO_AUTH_TOKEN,
        spapi.client_secret,
        spapi.refresh_token,
    ]
    logged = caplog.text + "\n".join(str(vars(r)) for r in caplog.records)
    assert outside(caplog), "the calls above were logged"
    # The IMAP protocol itself, line by line, the login included, is in what is searched.
    assert any(r.name == "imapclient.imaplib" for r in caplog.records)
    for secret in secrets:
        assert secret not in logged, f"a secret ({secret[:3]}…) is in the logs"

    client.force_login(admin_user)
    pages = [
        reverse("admin:inbox_mailbox_change", args=[desk_mailbox.pk]),
        reverse("admin:inbox_mailbox_change", args=[wrong.pk]),
        reverse("admin:amazon_selleraccount_changelist"),
        reverse("admin:amazon_selleraccount_change", args=[account_from_settings().pk]),
        reverse("home"),
        reverse("health"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in html, f"a secret ({secret[:3]}…) is on {url}"

    settings.REDIS_URL = "redis://:redis-Pa55-41d0@127.0.0.1:6379/0"
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": settings.REDIS_URL}
    request = RequestFactory().post("/", {"password": SECRETS["imap"]})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    for secret in [*secrets, "redis-Pa55-41d0"]:
        assert secret not in report, f"a secret ({secret[:3]}…) is in the error report"
