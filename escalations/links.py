"""The owner's links, short enough to leave a text's room to the summary.

A link is the site URL plus `/o/<token>/`, a path of 16 characters: the token is 72 random
bits (12 URL-safe characters), and what it opens (one escalation, or a digest's) and until
when are columns of its `OwnerLink` row, not packed into the token.

Links sent before were signed tokens (`e<id>.<stamp>.<hmac>`): they keep opening what they
named until they expire (`read_token`).
"""

import base64
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.signing import b62_decode, b62_encode
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from escalations.models import OwnerLink

SALT = "sellerdesk.escalations.owner-link"
TOKEN_BYTES = 9  # 72 bits, 12 characters


class LinkInvalid(Exception):
    pass


class LinkExpired(LinkInvalid):
    pass


@dataclass(frozen=True)
class LinkTarget:
    kind: str  # "e": one escalation; "d" or "n": a digest text's escalations
    pk: int


STEPS = 4  # Escalation.Step values fit below this


def digest_of(key: int) -> tuple[int, int]:
    """(escalation pk, step) of an old digest link's key."""
    return divmod(key, STEPS)


def _signature(value: str) -> str:
    digest = salted_hmac(SALT, value, algorithm="sha256").digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(kind: str, pk: int, *, now: float | None = None) -> str:
    """An old-style signed token, as texts before the short links carried."""
    stamp = b62_encode(int(now if now is not None else time.time()))
    value = f"{kind}{b62_encode(pk)}.{stamp}"
    return f"{value}.{_signature(value)}"


def is_signed_token(token: str) -> bool:
    return "." in token


def read_token(token: str, *, now: float | None = None) -> LinkTarget:
    """What an old signed `token` opens; LinkExpired when too old, LinkInvalid when forged."""
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


def link_create(escalations, *, scope: str | None = None) -> str:
    """A new link opening `escalations` (one, or a digest's), for the owner's texts."""
    escalations = list(escalations)
    if scope is None:
        scope = OwnerLink.Scope.ESCALATION if len(escalations) == 1 else OwnerLink.Scope.DIGEST
    link = OwnerLink.objects.create(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=settings.OWNER_LINK_DAYS),
    )
    link.escalations.set(escalations)
    return settings.SITE_URL + reverse("owner-link", args=[link.token])


def link_escalation_ids(token: str) -> list[int]:
    """The escalations a short link opens; LinkExpired or LinkInvalid otherwise."""
    link = OwnerLink.objects.filter(token=token).first()
    if link is None:
        raise LinkInvalid("no such link")
    if link.expires_at <= timezone.now():
        raise LinkExpired("expired")
    return list(link.escalations.values_list("pk", flat=True))
