"""Signed, expiring links to the owner's page, short enough to fit in a text.

A token names what it opens (`e<id>`: one escalation; `d<key>`: the escalations of one
digest text, named by its newest escalation and the step, so the text is written with its
link in one go; `n<id>`: a digest by its row, in texts sent before) and when it was made,
with a truncated HMAC (96 bits) keyed on SECRET_KEY: enough that nobody guesses one in a
link's lifetime, short enough to leave room for the summary in 160 characters.
"""

import base64
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.signing import b62_decode, b62_encode
from django.urls import reverse
from django.utils.crypto import salted_hmac

SALT = "sellerdesk.escalations.owner-link"


class LinkInvalid(Exception):
    pass


class LinkExpired(LinkInvalid):
    pass


@dataclass(frozen=True)
class LinkTarget:
    kind: str  # "e": one escalation; "d" or "n": a digest text's escalations
    pk: int


STEPS = 4  # Escalation.Step values fit below this


def digest_key(escalation_pk: int, step: int) -> int:
    """A digest text's key: its newest escalation and the step it is about."""
    return escalation_pk * STEPS + step


def digest_of(key: int) -> tuple[int, int]:
    """(escalation pk, step) of a digest key."""
    return divmod(key, STEPS)


def _signature(value: str) -> str:
    digest = salted_hmac(SALT, value, algorithm="sha256").digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(kind: str, pk: int, *, now: float | None = None) -> str:
    stamp = b62_encode(int(now if now is not None else time.time()))
    value = f"{kind}{b62_encode(pk)}.{stamp}"
    return f"{value}.{_signature(value)}"


def read_token(token: str, *, now: float | None = None) -> LinkTarget:
    """What `token` opens; LinkExpired when it is too old, LinkInvalid when forged."""
    try:
        target, stamp, signature = token.split(".")
        value = f"{target}.{stamp}"
        if not hmac.compare_digest(signature, _signature(value)):
            raise LinkInvalid("bad signature")
        kind, pk = target[0], b62_decode(target[1:])
        made = b62_decode(stamp)
    except (ValueError, IndexError):
        raise LinkInvalid("malformed") from None
    if kind not in ("e", "d", "n") or pk <= 0:
        raise LinkInvalid("names nothing")
    age = (now if now is not None else time.time()) - made
    if age > settings.OWNER_LINK_DAYS * 86400 or age < -300:
        raise LinkExpired("expired")
    return LinkTarget(kind, pk)


def owner_link(kind: str, pk: int, *, now: float | None = None) -> str:
    return settings.SITE_URL + reverse("owner-link", args=[token_for(kind, pk, now=now)])
