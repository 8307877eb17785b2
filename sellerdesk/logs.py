"""Logs an operator can read and a machine can parse.

`outside_call(system, operation)` wraps every request the desk makes to another system
(IMAP, SMTP, Twilio, Amazon, the chat webhook) and logs one record for it on the
`sellerdesk.outside` logger, with the fields `system`, `operation`, `duration_ms` and
`outcome` ("ok", or the error's class) as attributes of the record and as `key=value` text.
`LOG_FORMAT=json` prints each record as one JSON object with those fields.

Nothing secret goes in a record: adapters name operations, never credentials, and an
error's text is logged only after `redact` took out anything secret that the settings know.
"""

import json
import logging
import re
import time
from contextlib import contextmanager

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

log = logging.getLogger("sellerdesk.outside")

FIELDS = ("system", "operation", "duration_ms", "outcome", "detail")
_SECRET_SETTINGS = (
    "SECRET_KEY",
    "TWILIO_AUTH_TOKEN",
    "EMAIL_HOST_PASSWORD",
    "SPAPI_LWA_CLIENT_SECRET",
    "SPAPI_REFRESH_TOKEN",
    "OAUTH_MICROSOFT_CLIENT_SECRET",
    "OAUTH_GOOGLE_CLIENT_SECRET",
)


class Call:
    """What one outside call came to; the adapter may say more than "ok"."""

    def __init__(self):
        self.outcome = "ok"
        self.detail = ""


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with every secret the settings hold, and `secrets` (a mailbox password, an
    account's tokens, which live in the database), replaced by ***."""
    for secret in (*(getattr(settings, name, "") for name in _SECRET_SETTINGS), *secrets):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


@contextmanager
def outside_call(system: str, operation: str, *, secrets: tuple[str, ...] = ()):
    started = time.monotonic()
    call = Call()
    try:
        yield call
    except BaseException as exc:
        if call.outcome == "ok":
            call.outcome = type(exc).__name__
        call.detail = call.detail or str(exc)
        raise
    finally:
        detail = redact(call.detail, secrets)
        fields = {
            "system": system,
            "operation": operation,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "outcome": call.outcome,
            "detail": detail[:300],
        }
        text = " ".join(f"{k}={_quote(fields[k])}" for k in FIELDS if fields[k] != "")
        log.log(logging.INFO if call.outcome == "ok" else logging.WARNING, text, extra=fields)


def _quote(value) -> str:
    text = str(value)
    return json.dumps(text) if (" " in text or not text or '"' in text) else text


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the outside-call
    fields when the record has them."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@", re.IGNORECASE)


class SafeReports(SafeExceptionReporterFilter):
    """Django's error reports hide settings named like secrets (…PASSWORD, …TOKEN); this
    also hides the password inside any URL setting (DATABASE_URL, IMAP_URL, the Redis
    broker's URL) and the secrets `redact` knows wherever they appear, and hides form fields
    named like secrets."""

    def get_post_parameters(self, request):
        """Every form field named like a secret is hidden, whether or not its view says so."""
        params = super().get_post_parameters(request)
        if not params:
            return params
        params = params.copy()
        for key in params:
            if self.hidden_settings.search(key):
                params[key] = self.cleansed_substitute
        return params

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        if isinstance(value, str):
            value = redact(_URL_PASSWORD.sub(rf"\g<head>{self.cleansed_substitute}@", value))
        return value


_OAUTH_CALLBACK = re.compile(r"([?&](?:code|state)=)[^&\s\"']+")
_OWNER_LINK = re.compile(r"/o/[^/\s]+/?")


class MaskOwnerLinks(logging.Filter):
    """Masks the token of an owner's link (`/o/<token>/`) in every record it passes, as the
    desk's pages do: a link answers as the owner, so it must not sit in a log. Likewise the
    code and state Microsoft or Google send back to `/oauth/callback/`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = message
        if "/o/" in masked:
            masked = _OWNER_LINK.sub("/o/***/", masked)
        if "/oauth/callback/" in masked:
            masked = _OAUTH_CALLBACK.sub(r"\1***", masked)
        if masked != message:
            record.msg, record.args = masked, None
        return True
