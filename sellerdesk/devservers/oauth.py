"""A local OAuth 2.0 authorization server standing in for Microsoft's and Google's.

It answers on both providers' paths (Microsoft: `/<tenant>/oauth2/v2.0/authorize` and
`/token`; Google: `/o/oauth2/v2/auth` and `/token`) what the real ones answer to the
authorization code flow with PKCE and to refresh requests, and offers an RFC 7662
introspection endpoint (`/introspect`) that Dovecot's `oauth2` passdb and the SMTP stand-in
check access tokens at.

The consent page is a real page with Allow and Deny, so a browser test clicks through it.
Access tokens expire after `expires_in` seconds; `expire_access_tokens()` ends every live
one at once (a token that ran out mid-sync), `revoke(account)` ends an account's grant (the
seller removed the app, or changed their password): its refresh token then gets
`invalid_grant`, as the real services answer.
"""

import base64
import hashlib
import html
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from sellerdesk.devservers.standin import Request, Response, StandIn

MICROSOFT_INVALID_GRANT = (
    "AADSTS70000: The provided value for the input parameter 'refresh_token' or "
    "'assertion' is not valid. The refresh token has been revoked."
)
GOOGLE_INVALID_GRANT = "Token has been expired or revoked."


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str
    account: str
    scope: str


class OAuthStandIn(StandIn):
    def __init__(
        self,
        *,
        client_id: str = "desk-client-id",
        client_secret: str = "desk-client-secret",
        expires_in: int = 3600,
        port: int = 0,
    ):
        super().__init__(port)
        self.client_id, self.client_secret = client_id, client_secret
        self.expires_in = expires_in
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, tuple[str, float]] = {}  # token -> (account, expires at)
        self._refresh: dict[str, tuple[str, str]] = {}  # token -> (account, scope)
        self._state_lock = threading.Lock()

    # --- what a test can do to the grants ---
    def revoke(self, account: str) -> None:
        with self._state_lock:
            for store in (self._refresh, self._access):
                for token in [t for t, v in store.items() if v[0] == account]:
                    del store[token]

    def expire_access_tokens(self) -> None:
        with self._state_lock:
            self._access.clear()

    def account_of(self, access_token: str) -> str | None:
        with self._state_lock:
            account, expires_at = self._access.get(access_token, ("", 0.0))
        return account if account and expires_at > time.time() else None

    @property
    def microsoft_authority(self) -> str:
        return self.base_url

    @property
    def google_auth_url(self) -> str:
        return self.base_url + "/o/oauth2/v2/auth"

    @property
    def google_token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def introspection_url(self) -> str:
        return self.base_url + "/introspect"

    # --- the endpoints ---
    def route(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path.endswith("/authorize") or path == "/o/oauth2/v2/auth":
            if request.method == "POST":
                return self._consent(request)
            return self._consent_page(request)
        if path.endswith("/token") and request.method == "POST":
            return self._token(request)
        if path == "/introspect" and request.method == "POST":
            return self._introspect(request)
        return Response(404, {"error": "not_found"})

    def _consent_page(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items()}
        if query.get("client_id") != self.client_id:
            return _page(400, "The application is not registered (unknown client_id).")
        if query.get("response_type") != "code" or not query.get("redirect_uri"):
            return _page(400, "The request is not an authorization code request.")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return _page(400, "PKCE (S256) is required.")
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        account = html.escape(query.get("login_hint", ""))
        return _page(
            200,
            f"""<h1>Let SellerDesk read and send your mail?</h1>
<p>Scopes: {html.escape(query.get("scope", ""))}</p>
<form method="post">{hidden}
<label>Account <input name="account" value="{account}"></label>
<button name="decision" value="allow">Allow</button>
<button name="decision" value="deny">Deny</button>
</form>""",
        )

    def _consent(self, request: Request) -> Response:
        form = {k: v[0] for k, v in request.form().items()}
        redirect_uri, state = form.get("redirect_uri", ""), form.get("state", "")
        if form.get("decision") != "allow":
            query = {"error": "access_denied", "error_description": "The user said no."}
        else:
            code = secrets.token_urlsafe(24)
            with self._state_lock:
                self._codes[code] = _Code(
                    client_id=form.get("client_id", ""),
                    redirect_uri=redirect_uri,
                    challenge=form.get("code_challenge", ""),
                    account=form.get("account", "").strip(),
                    scope=form.get("scope", ""),
                )
            query = {"code": code}
        query["state"] = state
        return Response(302, b"", {"Location": f"{redirect_uri}?{urlencode(query)}"})

    def _client_ok(self, request: Request, form: dict) -> bool:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(header[6:]).decode().partition(":")
        return client_id == self.client_id and client_secret == self.client_secret

    def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in request.form().items()}
        if not self._client_ok(request, form):
            return Response(401, {"error": "invalid_client", "error_description": "Bad client."})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self._state_lock:
                code = self._codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                code is None
                or code.redirect_uri != form.get("redirect_uri")
                or code.challenge != challenge
            ):
                return _invalid_grant(request, "The code is unknown, used, or not yours.")
            return self._issue(code.account, code.scope, new_refresh=True)
        if grant == "refresh_token":
            with self._state_lock:
                held = self._refresh.get(form.get("refresh_token", ""))
            if held is None:
                return _invalid_grant(request)
            return self._issue(held[0], held[1], new_refresh=False)
        return Response(400, {"error": "unsupported_grant_type"})

    def _issue(self, account: str, scope: str, *, new_refresh: bool) -> Response:
        access = secrets.token_urlsafe(32)
        body = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": scope,
        }
        with self._state_lock:
            self._access[access] = (account, time.time() + self.expires_in)
            if new_refresh:
                refresh = secrets.token_urlsafe(32)
                self._refresh[refresh] = (account, scope)
                body["refresh_token"] = refresh
        return Response(200, body)

    def _introspect(self, request: Request) -> Response:
        form = {k: v[0] for k, v in request.form().items()}
        account = self.account_of(form.get("token", ""))
        if account is None:
            return Response(200, {"active": False})
        return Response(200, {"active": True, "username": account})


def _invalid_grant(request: Request, text: str = "") -> Response:
    microsoft = "/oauth2/v2.0/" in request.path
    description = text or (MICROSOFT_INVALID_GRANT if microsoft else GOOGLE_INVALID_GRANT)
    return Response(400, {"error": "invalid_grant", "error_description": description})


def _page(status: int, body: str) -> Response:
    page = f"<!doctype html><meta charset=utf-8><title>Sign in</title>{body}"
    return Response(status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
