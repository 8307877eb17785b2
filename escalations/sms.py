"""Texts to the owner: the one module that speaks to Twilio.

`sms_backend()` gives the Twilio backend when TWILIO_* is set, otherwise the outbox: texts
are kept in the desk (its outbox page) and printed to the log, which is what a local desk
uses. Every network call has a timeout; errors say whether a retry can help and whether
the text may have been accepted anyway (a timeout after the request left).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from sellerdesk.logs import outside_call

log = logging.getLogger(__name__)

# Twilio's error codes that no retry can fix (https://www.twilio.com/docs/api/errors).
PERMANENT_CODES = {21211, 21408, 21610, 21612, 21614, 21606, 21660, 30003, 30004, 30005, 30006}


class SmsError(Exception):
    def __init__(self, message: str, *, retryable: bool, maybe_sent: bool = False):
        super().__init__(message)
        self.retryable = retryable
        # The request may have reached Twilio: look before sending again.
        self.maybe_sent = maybe_sent


@dataclass
class Sent:
    provider_id: str
    status: str


class _RebasedHttpClient(TwilioHttpClient):
    """Sends what the library addresses to *.twilio.com to TWILIO_API_URL instead."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base = urlsplit(base_url)

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith("twilio.com"):
            url = urlunsplit(
                (
                    self.base.scheme,
                    self.base.netloc,
                    self.base.path + parts.path,
                    parts.query,
                    parts.fragment,
                )
            )
        return super().request(method, url, *args, **kwargs)


class TwilioSms:
    name = "twilio"

    def __init__(self):
        kwargs = {"timeout": settings.TWILIO_TIMEOUT}
        http = (
            _RebasedHttpClient(settings.TWILIO_API_URL, **kwargs)
            if settings.TWILIO_API_URL
            else TwilioHttpClient(**kwargs)
        )
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http
        )
        self.from_number = settings.TWILIO_FROM_NUMBER

    def send(self, *, to: str, body: str, status_callback: str = "") -> Sent:
        with outside_call("twilio", "messages.create"):
            return self._send(to=to, body=body, status_callback=status_callback)

    def _send(self, *, to: str, body: str, status_callback: str) -> Sent:
        try:
            message = self.client.messages.create(
                to=to,
                from_=self.from_number,
                body=body,
                **({"status_callback": status_callback} if status_callback else {}),
            )
        except TwilioRestException as exc:
            raise _rest_error(exc) from None
        except requests.Timeout as exc:
            raise SmsError(
                f"Twilio did not answer in time: {exc}", retryable=True, maybe_sent=True
            ) from None
        except requests.ConnectionError as exc:
            # Refused before anything was sent, or cut after: cannot tell, so look first.
            raise SmsError(
                f"Could not reach Twilio: {exc}", retryable=True, maybe_sent=True
            ) from None
        return Sent(provider_id=message.sid, status=message.status or "queued")

    def find_sent(self, *, to: str, body: str, since: datetime) -> Sent | None:
        """A text with this body Twilio already took for `to` since `since` (a send whose
        answer was lost), or None. Twilio lists newest first, a page at a time, and filters
        by day only: read back until `since`."""
        with outside_call("twilio", "messages.list"):
            return self._find_sent(to=to, body=body, since=since - timedelta(minutes=5))

    def _find_sent(self, *, to: str, body: str, since: datetime) -> Sent | None:
        try:
            for message in self.client.messages.stream(
                to=to, from_=self.from_number, date_sent_after=since, page_size=100
            ):
                if message.date_created and message.date_created < since:
                    break
                if message.body == body and message.status not in ("failed", "canceled"):
                    return Sent(provider_id=message.sid, status=message.status)
        except TwilioRestException as exc:
            raise _rest_error(exc) from None
        except requests.RequestException as exc:
            raise SmsError(f"Could not ask Twilio what was sent: {exc}", retryable=True) from None
        return None


def _rest_error(exc: TwilioRestException) -> SmsError:
    retryable = exc.status == 429 or exc.status >= 500
    if exc.code in PERMANENT_CODES:
        retryable = False
    text = f"Twilio {exc.status}" + (f" error {exc.code}" if exc.code else "")
    detail = (exc.msg or "").strip()
    return SmsError(f"{text}: {detail}" if detail else text, retryable=retryable)


class OutboxSms:
    """No SMS provider: the text is kept in the desk's outbox and printed to the log."""

    name = "outbox"

    def send(self, *, to: str, body: str, status_callback: str = "") -> Sent:
        log.info(
            "Kept, not texted (no SMS provider is set): the text for the owner (%s) is in the "
            "outbox:\n%s",
            to or "no number",
            body,
        )
        return Sent(provider_id="", status="outbox")

    def find_sent(self, *, to: str, body: str, since: datetime) -> Sent | None:
        return None


def sms_provider_set() -> bool:
    """Whether texts go to Twilio; without it they are kept in the outbox."""
    return bool(settings.TWILIO_ACCOUNT_SID)


def sms_backend():
    return TwilioSms() if sms_provider_set() else OutboxSms()


def signature_valid(url: str, params: dict, signature: str) -> bool:
    """Whether a webhook request carries Twilio's signature for this URL and these fields."""
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)
