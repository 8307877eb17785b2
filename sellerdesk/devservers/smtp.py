"""A local SMTP server (aiosmtpd) that keeps what it is sent, or refuses it on request."""

import asyncio
import base64
import json
import urllib.parse
import urllib.request
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


@dataclass
class OAuthSmtpSink(SmtpSink):
    """Also takes SASL XOAUTH2, checking the bearer token at an OAuth 2.0 introspection
    endpoint (RFC 7662), as Microsoft's and Google's SMTP servers check theirs."""

    introspection_url: str = ""
    signed_in: list[str] = field(default_factory=list)  # the accounts that signed in

    async def auth_XOAUTH2(self, server, args):
        blob = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        if not isinstance(blob, bytes):  # the client gave up ("*")
            return AuthResult(success=False, handled=True)
        parts = blob.decode(errors="replace").split("\x01")
        fields = dict(part.split("=", 1) for part in parts if "=" in part)
        user, bearer = fields.get("user", ""), fields.get("auth", "")
        token = bearer[7:] if bearer.startswith("Bearer ") else ""
        if token and await asyncio.to_thread(self._active_as, token, user):
            self.signed_in.append(user)
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        # What Google and Microsoft do: a 334 with the error as JSON, then 535 once the
        # client has answered it with an empty line.
        error = json.dumps({"status": "401", "schemes": "bearer", "scope": "SMTP"})
        await server.challenge_auth(error)
        return AuthResult(
            success=False, handled=False, message="535 5.7.3 Authentication unsuccessful"
        )

    def _active_as(self, token: str, user: str) -> bool:
        body = urllib.parse.urlencode({"token": token}).encode()
        url = self.introspection_url  # the stand-in's own http:// address
        with urllib.request.urlopen(url, data=body, timeout=5) as answer:  # noqa: S310
            found = json.load(answer)
        return bool(found.get("active")) and found.get("username", "").lower() == user.lower()


class SmtpServer:
    def __init__(
        self,
        *,
        user: str | None = None,
        password: str | None = None,
        oauth_introspection_url: str = "",
        refuse_passwords: str = "",
    ):
        """`oauth_introspection_url`: take XOAUTH2 tokens checked there. `refuse_passwords`:
        answer every password login with this (e.g. Microsoft's "535 5.7.139 ... basic
        authentication is disabled")."""
        self.sink = (
            OAuthSmtpSink(introspection_url=oauth_introspection_url)
            if oauth_introspection_url
            else SmtpSink()
        )
        self.port = free_port()
        self.user, self.password = user, password
        self.refuse_passwords = refuse_passwords
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if self.refuse_passwords:
            return AuthResult(success=False, handled=False, message=self.refuse_passwords)
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        # A refusal must say handled=False, or the client waits for ever.
        return AuthResult(success=ok, handled=False)

    def start(self) -> "SmtpServer":
        kwargs = {}
        if self.user or self.refuse_passwords or isinstance(self.sink, OAuthSmtpSink):
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
