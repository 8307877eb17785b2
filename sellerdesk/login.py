"""Signing in, throttled: after too many failed attempts for one email address or from one
address, the login form refuses for a while without checking any password."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache

WINDOW = 15 * 60


def _keys(request) -> list[str]:
    email = (request.POST.get("username") or "").strip().lower()[:254]
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:email:{email}", f"login-fail:ip:{address}"]


def throttled(request) -> bool:
    return any((cache.get(key) or 0) >= settings.LOGIN_MAX_FAILURES for key in _keys(request))


def record_failure(request) -> None:
    for key in _keys(request):
        if not cache.add(key, 1, WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired in between
                cache.add(key, 1, WINDOW)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttled(request):  # no password is checked
            form = self.get_form_class()(request=request)
            context = self.get_context_data(form=form, throttled=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        for key in _keys(self.request)[:1]:  # the right password clears that address's count
            cache.delete(key)
        return super().form_valid(form)
