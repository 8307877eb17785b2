"""OAuth 2.0 with Microsoft and Google: the one module that talks to their sign-in
services (through Authlib). Mailboxes there refuse passwords, so the desk signs in to IMAP
and SMTP with an access token from the seller's grant (`OAuthGrant`).

- `start()` begins the authorization code flow with PKCE and gives the address to open;
  the callback (`SITE_URL` + `/oauth/callback/`) calls `finish()`, which stores the grant.
- `access_token()` gives a live access token, refreshed before it expires (or at once when
  the server refused the last one); a refresh token the provider no longer takes marks the
  grant revoked and says so in words.

Tokens are kept encrypted, are named as secrets to the call log and never reach a page.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from django.conf import settings
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from sellerdesk.logs import outside_call
from sellerdesk.mailwords import LOOPBACK, PROVIDER_NAMES
from sellerdesk.models import OAuthGrant, OAuthProvider, OAuthRequest

MICROSOFT_SCOPES = (
    "https://outlook.office.com/IMAP.AccessAsUser.All",
    "https://outlook.office.com/SMTP.Send",
    "offline_access",
)
GOOGLE_SCOPES = ("https://mail.google.com/",)
# An access token this close to its end is refreshed before it is used.
REFRESH_MARGIN = timedelta(minutes=5)
# How long a started sign-in can wait for the browser to come back.
REQUEST_LIFETIME = timedelta(minutes=30)

# Sent when a grant was stored (a first connection or a reconnection): the mailbox syncs.
grant_connected = Signal()  # kwargs: provider, account


class OAuthProblem(Exception):
    """A sign-in or token request that did not work, in words for the seller.
    `retryable`: the provider could not be reached; trying later can help."""

    def __init__(self, message: str, *, retryable: bool = False, revoked: bool = False):
        super().__init__(message)
        self.retryable, self.revoked = retryable, revoked


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    extra: dict = field(default_factory=dict)  # added to the authorization request


def provider(name: str) -> Provider:
    if name == OAuthProvider.MICROSOFT:
        base = f"{settings.OAUTH_MICROSOFT_AUTHORITY}/{settings.OAUTH_MICROSOFT_TENANT}"
        found = Provider(
            name=name,
            label="Microsoft",
            client_id=settings.OAUTH_MICROSOFT_CLIENT_ID,
            client_secret=settings.OAUTH_MICROSOFT_CLIENT_SECRET,
            authorize_url=f"{base}/oauth2/v2.0/authorize",
            token_url=f"{base}/oauth2/v2.0/token",
            scopes=MICROSOFT_SCOPES,
        )
        setting = "OAUTH_MICROSOFT_CLIENT_ID and OAUTH_MICROSOFT_CLIENT_SECRET"
    elif name == OAuthProvider.GOOGLE:
        found = Provider(
            name=name,
            label="Google",
            client_id=settings.OAUTH_GOOGLE_CLIENT_ID,
            client_secret=settings.OAUTH_GOOGLE_CLIENT_SECRET,
            authorize_url=settings.OAUTH_GOOGLE_AUTH_URL,
            token_url=settings.OAUTH_GOOGLE_TOKEN_URL,
            scopes=GOOGLE_SCOPES,
            # Without both, Google gives no refresh token and the desk would stop in an hour.
            extra={"access_type": "offline", "prompt": "consent"},
        )
        setting = "OAUTH_GOOGLE_CLIENT_ID and OAUTH_GOOGLE_CLIENT_SECRET"
    else:
        raise OAuthProblem(f"Unknown sign-in provider {name!r}: use microsoft or google.")
    if not (found.client_id and found.client_secret):
        raise OAuthProblem(
            f"The desk has no app registration at {found.label} yet: set {setting} "
            "(the README's 'Connecting a Microsoft or Google mailbox' shows how)."
        )
    return found


def label(name: str) -> str:
    return PROVIDER_NAMES.get(name, name)


def revoked_words(provider_name: str, account: str) -> str:
    return f"{label(provider_name)} no longer lets the desk read {account}: reconnect."


def check_transport(*, host: str, encrypted: bool, what: str) -> None:
    """A bearer token goes only over TLS (or to this machine: a local stand-in)."""
    if not encrypted and host not in LOOPBACK:
        raise OAuthProblem(
            f"The desk sends a sign-in token to {what} only over TLS: use port 993 with TLS "
            "for IMAP, and ?tls=true on 587 (or smtps:// on 465) for SMTP."
        )


def callback_url() -> str:
    return settings.SITE_URL + reverse("oauth-callback")


def _session(found: Provider, **kwargs) -> OAuth2Session:
    return OAuth2Session(
        found.client_id,
        found.client_secret,
        scope=" ".join(found.scopes),
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method's name
        **kwargs,
    )


# --- the authorization code flow ---
def start(*, provider_name: str, account: str, return_to: str = "") -> str:
    """Begin a sign-in for `account`; returns the provider's address to open."""
    found = provider(provider_name)
    state, verifier = secrets.token_urlsafe(32), generate_token(64)
    redirect_uri = callback_url()
    url, _ = _session(found, redirect_uri=redirect_uri).create_authorization_url(
        found.authorize_url,
        state=state,
        code_verifier=verifier,
        login_hint=account,
        **found.extra,
    )
    OAuthRequest.objects.create(
        state=state,
        provider=found.name,
        account=account.strip().lower(),
        code_verifier=verifier,
        redirect_uri=redirect_uri,
        return_to=return_to if return_to.startswith("/") and not return_to.startswith("//") else "",
    )
    return url


@sensitive_variables("code", "token")
def finish(*, state: str, code: str = "", error: str = "", description: str = "") -> OAuthRequest:
    """The browser came back from the provider. Finishes the sign-in once: a second call
    with the same state (a reload, a replayed link) raises OAuthProblem and changes nothing."""
    now = timezone.now()
    claimed = OAuthRequest.objects.filter(
        state=state, claimed_at__isnull=True, created_at__gte=now - REQUEST_LIFETIME
    ).update(claimed_at=now)
    if not state or claimed != 1:
        raise OAuthProblem(
            "This sign-in was already finished or has expired: start it again from the "
            "mailbox page (or run connect_mailbox again)."
        )
    request = OAuthRequest.objects.get(state=state)
    try:
        found = provider(request.provider)
        if error:
            raise OAuthProblem(_refusal_words(found, error, description))
        if not code:
            raise OAuthProblem(f"{found.label} sent the browser back without a code.")
        token = _call(
            found,
            "exchange code",
            lambda: _session(found, redirect_uri=request.redirect_uri).fetch_token(
                found.token_url,
                code=code,
                code_verifier=request.code_verifier,
                timeout=settings.OAUTH_TIMEOUT,
            ),
            secrets=(code, request.code_verifier),
        )
        _store_grant(found, request.account, token)
    except Exception as exc:
        # Whatever went wrong, the sign-in is over: the page and connect_mailbox say why.
        problem = exc if isinstance(exc, OAuthProblem) else None
        words = str(problem) if problem else f"The sign-in could not be stored ({exc})."
        OAuthRequest.objects.filter(pk=request.pk).update(
            outcome=OAuthRequest.Outcome.FAILED, error=words, finished_at=timezone.now()
        )
        if problem:
            raise
        raise OAuthProblem(words) from exc
    OAuthRequest.objects.filter(pk=request.pk).update(
        outcome=OAuthRequest.Outcome.GRANTED, finished_at=timezone.now()
    )
    request.refresh_from_db()
    grant_connected.send(sender=OAuthGrant, provider=found.name, account=request.account)
    return request


@sensitive_variables("token", "refresh", "values")
def _store_grant(found: Provider, account: str, token: dict) -> None:
    refresh = token.get("refresh_token", "")
    existing = OAuthGrant.objects.filter(provider=found.name, account=account).first()
    if not refresh and not (existing and existing.refresh_token):
        raise OAuthProblem(
            f"{found.label} gave the desk no lasting access (no refresh token): remove "
            "SellerDesk from the account's connected apps and connect again."
        )
    values = {
        "state": OAuthGrant.State.ACTIVE,
        "access_token": token.get("access_token", ""),
        "access_expires_at": _expires_at(token),
        "scope": token.get("scope", ""),
        "connected_at": timezone.now(),
        "refreshed_at": timezone.now(),
        "problem": "",
    }
    if refresh:
        values["refresh_token"] = refresh
    OAuthGrant.objects.update_or_create(provider=found.name, account=account, defaults=values)


# --- access tokens ---
def has_grant(provider_name: str, account: str) -> bool:
    return OAuthGrant.objects.filter(provider=provider_name, account=account.lower()).exists()


def access_token(provider_name: str, account: str, *, renew: bool = False) -> str:
    """A live access token for `account`. `renew`: the server refused the last one, so a
    new one is asked for even if it should still be good."""
    account = account.strip().lower()
    grant = OAuthGrant.objects.filter(provider=provider_name, account=account).first()
    if grant is None:
        name = label(provider_name)
        raise OAuthProblem(
            f"{name} needs the desk connected with {name} for {account}: use Connect with "
            f"{name} on the mailbox page (or run manage.py connect_mailbox)."
        )
    if grant.state == OAuthGrant.State.REVOKED:
        raise OAuthProblem(grant.problem or revoked_words(provider_name, account), revoked=True)
    fresh = grant.access_expires_at and grant.access_expires_at > timezone.now() + REFRESH_MARGIN
    if grant.access_token and fresh and not renew:
        return grant.access_token
    return _refresh(grant)


@sensitive_variables("token", "values")
def _refresh(grant: OAuthGrant) -> str:
    found = provider(grant.provider)
    try:
        token = _call(
            found,
            "refresh",
            lambda: _session(found).refresh_token(
                found.token_url, refresh_token=grant.refresh_token, timeout=settings.OAUTH_TIMEOUT
            ),
            secrets=(grant.refresh_token,),
            grant=grant,
        )
    except OAuthProblem as exc:
        if exc.revoked:
            # Only the grant this refresh was for: a reconnection stored meanwhile stays.
            OAuthGrant.objects.filter(pk=grant.pk, connected_at=grant.connected_at).update(
                state=OAuthGrant.State.REVOKED, problem=str(exc), access_token=""
            )
        raise
    values = {
        "access_token": token.get("access_token", ""),
        "access_expires_at": _expires_at(token),
        "refreshed_at": timezone.now(),
    }
    if token.get("refresh_token"):  # Microsoft hands out a new one with each refresh
        values["refresh_token"] = token["refresh_token"]
    OAuthGrant.objects.filter(pk=grant.pk, connected_at=grant.connected_at).update(**values)
    return values["access_token"]


def _call(found: Provider, operation: str, func, *, secrets=(), grant=None) -> dict:
    """One request to the provider's token endpoint, outside any transaction."""
    with outside_call("oauth", f"{found.name} {operation}", secrets=secrets) as call:
        try:
            token = func()
        except OAuthError as exc:
            call.outcome = exc.error or "refused"
            if exc.error == "invalid_grant" and grant is not None:
                raise OAuthProblem(revoked_words(found.name, grant.account), revoked=True) from None
            raise OAuthProblem(_refusal_words(found, exc.error, exc.description)) from None
        except requests.RequestException as exc:
            call.outcome = "unreachable"
            raise OAuthProblem(
                f"Could not reach {found.label}'s sign-in service ({type(exc).__name__}): "
                "the desk tries again.",
                retryable=True,
            ) from None
        except ValueError as exc:  # an answer that is not a token
            raise OAuthProblem(
                f"{found.label}'s sign-in service gave an answer the desk cannot read ({exc}).",
                retryable=True,
            ) from None
    if not token.get("access_token"):
        raise OAuthProblem(f"{found.label} gave no access token.", retryable=True)
    return token


def _refusal_words(found: Provider, error: str, description: str) -> str:
    if error == "access_denied":
        return f"Nothing was connected: the sign-in at {found.label} was cancelled or refused."
    if error in ("invalid_client", "unauthorized_client"):
        return (
            f"{found.label} does not accept the desk's app registration ({error}): check the "
            f"client id and secret in the OAUTH_{found.name.upper()}_* settings."
        )
    if error == "invalid_grant":
        return f"{found.label} did not accept the sign-in (it expired or was used): try again."
    detail = f": {description}" if description else ""
    return f"{found.label} refused the sign-in ({error or 'no reason given'}){detail}."


def _expires_at(token: dict):
    try:
        seconds = int(token.get("expires_in") or 3600)
    except (TypeError, ValueError):
        seconds = 3600
    return timezone.now() + timedelta(seconds=seconds)


def request_state(state: str) -> OAuthRequest | None:
    return OAuthRequest.objects.filter(state=state).first()


@sensitive_variables("token")
def sasl_xoauth2(account: str, token: str) -> str:
    """The XOAUTH2 initial response (before base64): the same for IMAP and SMTP."""
    return f"user={account}\x01auth=Bearer {token}\x01\x01"
