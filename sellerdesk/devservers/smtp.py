"""A local SMTP server (aiosmtpd) that keeps what it is sent, or refuses it on request."""

import asyncio
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from sellerdesk.devservers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpSink:
    """What the server received, and how it should answer the next DATA."""

    received: list[Received] = field(default_factory=list)
    # None accepts; otherwise an SMTP reply such as "550 5.7.1 Not allowed".
    reply: str | None = None
    # Seconds to sit on a message before answering (a server too slow to answer in time).
    hang: float = 0.0

    async def handle_DATA(self, server, session, envelope):
        if self.hang:
            await asyncio.sleep(self.hang)
        if self.reply:
            return self.reply
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    def __init__(self, *, user: str | None = None, password: str | None = None):
        self.sink = SmtpSink()
        self.port = free_port()
        self.user, self.password = user, password
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        # A refusal must say handled=False, or the client waits for ever.
        return AuthResult(success=ok, handled=False)

    def start(self) -> "SmtpServer":
        kwargs = {}
        if self.user:
            kwargs = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.sink.received

    def url(self) -> str:
        auth = f"{self.user}:{self.password}@" if self.user else ""
        return f"smtp://{auth}127.0.0.1:{self.port}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
