"""Signing in, throttled: after too many attempts for one account, or many more from one
client, every login form (the desk's and the admin's) refuses for a while without checking
any password.

- Each attempt is counted before its password is checked: `LoginThrottleBackend`, first in
  AUTHENTICATION_BACKENDS, claims a slot for the account and one for the client, whatever
  form asks, and refuses when none is free. The right password gives the account's slots
  back (not the client's). So a burst of N parallel tries, on any number of workers and
  threads, gets at most the limit checked. The forms answer 429 with the reason.
- A person's own typos lock that account (LOGIN_MAX_FAILURES); the client (one address,
  perhaps an office behind one router) is throttled more gently (CLIENT_FACTOR times as
  many), so one person's typos do not lock out the others there.
- The client is the address the desk's proxy saw (`sellerdesk.client`), not the proxy.
- The counts live in the cache every web worker shares (Redis, or the database cache).
  Each attempt claims the next free slot with `cache.add`, which is atomic in every backend,
  and each slot expires on its own after the window.
"""

import hashlib

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from sellerdesk.client import client_address

WINDOW = 15 * 60
REFUSED = "Too many failed attempts: wait 15 minutes, then try again."


def _keys(request, username: str | None = None) -> list[str]:
    if username is None:
        username = request.POST.get("username") or ""
    account = hashlib.sha256(username.strip().lower()[:254].encode()).hexdigest()[:32]
    return [f"login-fail:account:{account}", f"login-fail:client:{client_address(request)}"]


CLIENT_FACTOR = 4


def _limits() -> tuple[int, int]:
    return settings.LOGIN_MAX_FAILURES, settings.LOGIN_MAX_FAILURES * CLIENT_FACTOR


def _slots(key: str, limit: int | None = None) -> list[str]:
    return [f"{key}:{n}" for n in range(1, (limit or settings.LOGIN_MAX_FAILURES) + 1)]


def throttled(request, username: str | None = None) -> bool:
    account, client = _keys(request, username)
    most_for_account, most_for_client = _limits()
    last = [_slots(account, most_for_account)[-1], _slots(client, most_for_client)[-1]]
    return bool(cache.get_many(last))


def _claim(key: str, limit: int) -> str | None:
    """The slot this attempt took, or None when all were taken."""
    return next((slot for slot in _slots(key, limit) if cache.add(slot, 1, WINDOW)), None)


def claim_attempt(request, username: str | None = None) -> bool:
    """Count this attempt before its password is checked: True when the account and the
    client each had a slot free (both are taken now, and remembered on the request so the
    right password can give the client's back)."""
    account, client = _keys(request, username)
    most_for_account, most_for_client = _limits()
    taken = _claim(account, most_for_account)
    if taken is None:
        return False
    client_slot = _claim(client, most_for_client)
    if client_slot is None:
        return False
    request._login_client_slot = client_slot
    return True


def clear_account(request, username: str) -> None:
    """The right password clears that account's count, and gives back the client's slot
    this attempt took (the client's other failures still count)."""
    cache.delete_many(_slots(_keys(request, username)[0], _limits()[0]))
    slot = getattr(request, "_login_client_slot", None)
    if slot:
        cache.delete(slot)


def on_logged_in(sender, request, user, **kwargs):
    if request is not None:
        clear_account(request, user.get_username())


class LoginThrottleBackend:
    """Authenticates no one; counts every attempt first, and stops every other backend from
    checking a password when no slot is free."""

    def authenticate(self, request, username=None, **credentials):
        if request is not None and not claim_attempt(request, username or ""):
            request._login_refused = True
            raise PermissionDenied
        return None  # no get_user: sessions are never this backend's


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttled(request):  # no password is checked
            return self._refused(request)
        response = super().post(request, *args, **kwargs)
        if getattr(request, "_login_refused", False):  # the limit was reached meanwhile
            return self._refused(request)
        return response

    def _refused(self, request):
        form = self.get_form_class()(request=request)
        context = self.get_context_data(form=form, throttled=True)
        return self.render_to_response(context, status=429)


@login_not_required
def admin_login(request, extra_context=None):
    """The admin's login view, throttled like the desk's: 429 and the reason."""
    if request.method == "POST" and throttled(request):
        return _admin_refused(request, extra_context)
    response = admin.AdminSite.login(admin.site, request, extra_context)
    if getattr(request, "_login_refused", False):
        return _admin_refused(request, extra_context)
    return response


def _admin_refused(request, extra_context):
    messages.error(request, REFUSED)
    request.method = "GET"  # show the empty form; no password is checked
    response = admin.AdminSite.login(admin.site, request, extra_context)
    response.status_code = 429
    return response
