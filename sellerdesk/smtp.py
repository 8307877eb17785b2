"""Sending mail: the one module that speaks SMTP (through Django's mail backend, configured
by EMAIL_URL). A send either returns (the server accepted the message) or raises
MailSendError saying whether a retry can help."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.views.decorators.debug import sensitive_variables

from sellerdesk import oauth
from sellerdesk.logs import outside_call
from sellerdesk.mailwords import connection_words, login_words


class MailSendError(Exception):
    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


class OAuthEmailBackend(SmtpBackend):
    """Django's SMTP backend that signs in with the mailbox's OAuth grant (SASL XOAUTH2)
    instead of a password: EMAIL_URL=smtp://support%40shop.com@smtp.office365.com:587
    ?tls=true&oauth=microsoft. A refused token is renewed and tried once more."""

    mechanism = "XOAUTH2"

    def open(self):
        opened = super().open()  # connects and says STARTTLS; no password, so no LOGIN
        if opened and self.connection is not None:
            try:
                self._sign_in()
            except BaseException:
                self.close()
                raise
        return opened

    @sensitive_variables("token", "response")
    def _sign_in(self) -> None:
        account = settings.EMAIL_HOST_USER
        oauth.check_transport(
            host=self.host, encrypted=bool(self.use_tls or self.use_ssl), what=self.host
        )
        # smtplib takes a 503 to AUTH ("say EHLO first") as success: say it first.
        self.connection.ehlo_or_helo_if_needed()
        if not self.connection.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError(
                f"The mail server at {self.host} offers no sign-in (SMTP AUTH)."
            )
        for renew in (False, True):
            token = oauth.access_token(settings.EMAIL_OAUTH, account, renew=renew)
            response = oauth.sasl_xoauth2(account, token)
            try:
                # The server answers a refused token with a 334 challenge (its error as
                # JSON); the empty reply to it ends the exchange with a 535.
                self.connection.auth(
                    self.mechanism,
                    lambda challenge=None, first=response: first if challenge is None else "",
                )
                return
            except smtplib.SMTPAuthenticationError:
                if renew:
                    raise


def smtp_send(message: EmailMessage) -> None:
    with outside_call("smtp", "send"):  # its password is a setting: redacted there
        _send(message)


def smtp_check() -> str:
    """Sign in to the SMTP server that sends the replies, and leave without sending: the
    mailbox page's Test connection. Raises MailSendError in the same words as a send."""
    connection = get_connection(fail_silently=False)
    if not isinstance(connection, SmtpBackend):
        return (
            "Replies are not sent by SMTP here (EMAIL_URL is console:// or memory://): "
            "nothing to sign in to."
        )
    with outside_call("smtp", "check"):
        _guarded(lambda: (connection.open(), connection.close()))
    how = (
        f"with {oauth.label(settings.EMAIL_OAUTH)} (XOAUTH2)"
        if settings.EMAIL_OAUTH
        else ("with its password" if settings.EMAIL_HOST_PASSWORD else "without signing in")
    )
    user = f" as {settings.EMAIL_HOST_USER}" if settings.EMAIL_HOST_USER else ""
    return (
        f"SMTP: {settings.EMAIL_HOST}:{settings.EMAIL_PORT} took the sign-in{user} {how}; "
        "nothing was sent."
    )


def _send(message: EmailMessage) -> None:
    connection = get_connection(fail_silently=False)
    sent = _guarded(lambda: connection.send_messages([message]))
    if sent != 1:
        raise MailSendError("The mail server did not take the message.", retryable=True)


def _guarded(action):
    """Run an SMTP exchange; every failure becomes a MailSendError in words."""
    try:
        return action()
    except oauth.OAuthProblem as exc:
        raise MailSendError(str(exc), retryable=exc.retryable) from None
    except smtplib.SMTPAuthenticationError as exc:
        words = login_words(
            host=settings.EMAIL_HOST,
            username=settings.EMAIL_HOST_USER,
            answer=f"{exc.smtp_code} {_answer(exc)}",
            oauth_provider=settings.EMAIL_OAUTH,
        )
        raise MailSendError(words, retryable=False) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        text = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace')}"
                         for rcpt, (code, msg) in exc.recipients.items())  # fmt: skip
        raise MailSendError(f"The mail server refused the recipient: {text}",
                            retryable=all(400 <= c < 500 for c in codes)) from None  # fmt: skip
    except smtplib.SMTPResponseException as exc:
        raise MailSendError(f"The mail server answered {exc.smtp_code} {_answer(exc)}",
                            retryable=not 500 <= exc.smtp_code < 600) from None  # fmt: skip
    except OSError as exc:  # smtplib's other errors too (SMTPException is an OSError)
        said = connection_words(
            exc, host=settings.EMAIL_HOST, port=settings.EMAIL_PORT, where="EMAIL_URL's host",
            ports="587 with ?tls=true, or smtps:// on 465",
        )  # fmt: skip
        if said:
            raise MailSendError(said[0], retryable=said[1]) from None
        raise MailSendError(f"Could not reach the mail server: {exc}", retryable=True) from None


def _answer(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    return error.decode(errors="replace") if isinstance(error, bytes) else str(error)
