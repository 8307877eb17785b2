"""Sending mail: the one module that speaks SMTP (through Django's mail backend, configured
by EMAIL_URL). A send either returns (the server accepted the message) or raises
MailSendError saying whether a retry can help."""

import smtplib

from django.core.mail import EmailMessage, get_connection

from sellerdesk.logs import outside_call


class MailSendError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def smtp_send(message: EmailMessage) -> None:
    with outside_call("smtp", "send"):  # its password is a setting: redacted there
        _send(message)


def _send(message: EmailMessage) -> None:
    try:
        connection = get_connection(fail_silently=False)
        sent = connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        text = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace')}"
                         for rcpt, (code, msg) in exc.recipients.items())  # fmt: skip
        raise MailSendError(f"The mail server refused the recipient: {text}",
                            retryable=all(400 <= c < 500 for c in codes)) from None  # fmt: skip
    except smtplib.SMTPResponseException as exc:
        detail = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        raise MailSendError(f"The mail server answered {exc.smtp_code} {detail}",
                            retryable=not 500 <= exc.smtp_code < 600) from None  # fmt: skip
    except (smtplib.SMTPException, OSError) as exc:
        raise MailSendError(f"Could not reach the mail server: {exc}", retryable=True) from None
    if sent != 1:
        raise MailSendError("The mail server did not take the message.", retryable=True)
