"""Signing in, throttled: after too many failed attempts for one account or from one client,
every login form (the desk's and the admin's) refuses for a while without checking any
password.

- One throttle for every form: failures are counted from Django's `user_login_failed`
  signal, and `LoginThrottleBackend`, first in AUTHENTICATION_BACKENDS, refuses to
  authenticate while a limit is reached, whatever form asks. The forms themselves answer
  429 with the reason.
- The client is the address the desk's proxy saw (`sellerdesk.client`), not the proxy.
- The counts live in the cache every web worker shares (Redis, or the database cache).
  Each failure claims the next free slot with `cache.add`, which is atomic in every
  backend, and each slot expires on its own: the limit is LOGIN_MAX_FAILURES failures
  within the window, counted the same across any number of workers.
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


def _slots(key: str) -> list[str]:
    return [f"{key}:{n}" for n in range(1, settings.LOGIN_MAX_FAILURES + 1)]


def throttled(request, username: str | None = None) -> bool:
    last = [_slots(key)[-1] for key in _keys(request, username)]
    return bool(cache.get_many(last))


def record_failure(request, username: str | None = None) -> None:
    for key in _keys(request, username):
        for slot in _slots(key):
            if cache.add(slot, 1, WINDOW):
                break


def clear_account(request, username: str) -> None:
    """The right password clears that account's count (not the client's)."""
    cache.delete_many(_slots(_keys(request, username)[0]))


def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and not getattr(request, "_login_refused", False):
        record_failure(request, credentials.get("username") or "")


def on_logged_in(sender, request, user, **kwargs):
    if request is not None:
        clear_account(request, user.get_username())


class LoginThrottleBackend:
    """Authenticates no one; stops every other backend from checking a password while a
    limit is reached."""

    def authenticate(self, request, username=None, **credentials):
        if request is not None and throttled(request, username or ""):
            request._login_refused = True  # refusing is not another failure
            raise PermissionDenied
        return None  # no get_user: sessions are never this backend's


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttled(request):  # no password is checked
            form = self.get_form_class()(request=request)
            context = self.get_context_data(form=form, throttled=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


@login_not_required
def admin_login(request, extra_context=None):
    """The admin's login view, throttled like the desk's: 429 and the reason."""
    if request.method == "POST" and throttled(request):
        messages.error(request, REFUSED)
        request.method = "GET"  # show the empty form; no password is checked
        response = admin.AdminSite.login(admin.site, request, extra_context)
        response.status_code = 429
        return response
    return admin.AdminSite.login(admin.site, request, extra_context)
