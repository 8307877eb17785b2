"""The login throttle's rules (sellerdesk/login.py) without a database: a cache in memory
and requests made by hand. The whole path through the forms, gunicorn and the shared cache
is in test_login_throttle.py."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from sellerdesk import login

LIMIT = 3


@pytest.fixture(autouse=True)
def memory_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.LOGIN_MAX_FAILURES = LIMIT
    cache.clear()
    yield
    cache.clear()


def post(rf, username="maria@shop.test", address="203.0.113.5"):
    request = rf.post("/login/", {"username": username, "password": "x"}, REMOTE_ADDR=address)
    request.user = AnonymousUser()
    request._dont_enforce_csrf_checks = True
    request._messages = CookieStorage(request)
    return request


def test_keys_are_the_account_and_the_client():
    request = post(RequestFactory())
    account, client = login._keys(request)
    assert account.startswith("login-fail:account:") and len(account) == 19 + 32
    assert client == "login-fail:client:203.0.113.5"


def test_the_account_is_read_without_case_or_spaces(rf):
    same = {login._keys(post(rf, name))[0] for name in ("Maria@Shop.test", " maria@shop.test ")}
    assert same == {login._keys(post(rf))[0]}
    assert login._keys(post(rf, "other@shop.test"))[0] not in same


def test_an_account_named_by_the_caller_wins_over_the_form(rf):
    request = post(rf, "form@shop.test")
    assert login._keys(request, "named@shop.test")[0] == login._keys(post(rf, "named@shop.test"))[0]
    assert login._keys(request, "")[0] == login._keys(post(rf, ""))[0]


def test_a_username_past_254_characters_counts_as_its_first_254(rf):
    long = "a" * 254
    assert login._keys(post(rf, long + "b"))[0] == login._keys(post(rf, long + "c"))[0]
    assert login._keys(post(rf, long[:-1] + "b"))[0] != login._keys(post(rf, long))[0]


def test_one_slot_per_allowed_attempt_and_four_times_as_many_for_a_client():
    assert login._slots("k") == ["k:1", "k:2", "k:3"]
    assert login._limits() == (LIMIT, 4 * LIMIT)
    assert login._slots("k", 5) == ["k:1", "k:2", "k:3", "k:4", "k:5"]


def test_the_limit_is_reached_at_exactly_the_allowed_failures(rf):
    request = post(rf)
    for _ in range(LIMIT - 1):
        login.claim_attempt(request)
        assert not login.throttled(request)
    login.claim_attempt(request)
    assert login.throttled(request)
    assert cache.get_many(login._slots(login._keys(request)[0])) == {
        slot: 1 for slot in login._slots(login._keys(request)[0])
    }


def test_failures_expire_after_the_window(rf, monkeypatch):
    added = []

    class Spy:
        def add(self, key, value, timeout):
            added.append(timeout)
            return True

    monkeypatch.setattr(login, "cache", Spy())
    login.claim_attempt(post(rf))
    assert added == [15 * 60, 15 * 60]  # one slot for the account, one for the client


def test_ones_own_typos_lock_that_account_not_the_others_at_the_address(rf):
    for _ in range(LIMIT):
        login.claim_attempt(post(rf))
    assert login.throttled(post(rf))
    assert login.throttled(post(rf, address="198.51.100.7"))  # the same account, anywhere
    assert not login.throttled(post(rf, "other@shop.test"))  # a colleague at the same address
    assert not login.throttled(post(rf, "other@shop.test", "198.51.100.7"))


def test_an_address_is_throttled_after_four_times_the_limit(rf):
    for n in range(4 * LIMIT - 1):
        assert login.claim_attempt(post(rf, f"guess{n}@shop.test"))
    assert not login.throttled(post(rf, "next@shop.test"))
    assert login.claim_attempt(post(rf, "last@shop.test"))
    assert login.throttled(post(rf, "next@shop.test"))  # every account, from there
    assert not login.claim_attempt(post(rf, "next@shop.test"))
    assert not login.throttled(post(rf, "next@shop.test", "198.51.100.7"))


def test_a_burst_claims_at_most_the_limit(rf):
    claimed = [login.claim_attempt(post(rf)) for _ in range(50)]
    assert claimed == [True] * LIMIT + [False] * (50 - LIMIT)


def test_the_right_password_clears_the_account_not_the_client(rf):
    for n in range(4 * LIMIT):
        login.claim_attempt(post(rf, "maria@shop.test" if n < LIMIT else f"x{n}@shop.test"))
    login.clear_account(post(rf), "maria@shop.test")
    assert not login.throttled(post(rf, address="198.51.100.7"))
    assert login.throttled(post(rf, "other@shop.test"))  # the address still is


def test_logging_in_clears_the_account(rf, django_user_model):
    request = post(rf)
    for _ in range(LIMIT):
        login.claim_attempt(request)
    login.on_logged_in(None, request, django_user_model(email="maria@shop.test"))
    assert not login.throttled(post(rf, address="198.51.100.7"))
    login.on_logged_in(None, None, django_user_model(email="maria@shop.test"))


def test_the_backend_refuses_while_throttled_and_otherwise_steps_aside(rf):
    backend = login.LoginThrottleBackend()
    request = post(rf)
    assert backend.authenticate(request, username="maria@shop.test", password="x") is None
    assert not getattr(request, "_login_refused", False)
    assert backend.authenticate(None, username="maria@shop.test") is None
    for _ in range(LIMIT):
        login.claim_attempt(post(rf, "someone@shop.test"))
    with pytest.raises(PermissionDenied):
        backend.authenticate(request, username="someone@shop.test", password="x")
    assert request._login_refused is True
    fresh = post(rf, address="198.51.100.9")
    for _ in range(LIMIT):
        login.claim_attempt(post(rf, "", "198.51.100.8"))
    with pytest.raises(PermissionDenied):  # no username: the empty one is read, not the form
        backend.authenticate(fresh, username=None)


def test_a_throttled_desk_login_answers_429_without_checking(rf, monkeypatch):
    monkeypatch.setattr(
        "django.contrib.auth.views.LoginView.post", lambda *a, **k: pytest.fail("checked")
    )
    for _ in range(LIMIT):
        login.claim_attempt(post(rf))
    response = login.LoginView.as_view()(post(rf))
    assert response.status_code == 429
    assert response.context_data["throttled"] is True
    assert not response.context_data["form"].is_bound


def test_a_throttled_admin_login_answers_429_with_the_reason(rf, monkeypatch):
    for _ in range(LIMIT):
        login.claim_attempt(post(rf))
    request = post(rf)
    response = login.admin_login(request)
    assert response.status_code == 429
    assert request.method == "GET"
    assert [str(m) for m in request._messages] == [login.REFUSED]
    fresh = post(rf, "other@shop.test", "198.51.100.7")
    seen = []
    monkeypatch.setattr(
        "django.contrib.admin.AdminSite.login",
        lambda site, request, extra_context=None: seen.append(request.method) or "checked",
    )
    assert login.admin_login(fresh) == "checked"
    assert seen == ["POST"]


def test_the_account_named_is_cleared_not_the_one_in_the_form(rf):
    for _ in range(LIMIT):
        login.claim_attempt(post(rf, "maria@shop.test", "198.51.100.1"))
    login.clear_account(post(rf, "someone-else@shop.test", "198.51.100.2"), "maria@shop.test")
    assert not login.throttled(post(rf, "maria@shop.test", "198.51.100.3"))


def test_logging_in_clears_the_users_own_account_whatever_the_form_said(rf, django_user_model):
    for _ in range(LIMIT):
        login.claim_attempt(post(rf, "maria@shop.test", "198.51.100.1"))
    signed_in = rf.post("/login/", {}, REMOTE_ADDR="198.51.100.2")  # e.g. a login by link
    login.on_logged_in(None, signed_in, django_user_model(email="maria@shop.test"))
    assert not login.throttled(post(rf, "maria@shop.test", "198.51.100.3"))


def test_the_account_asked_about_is_the_one_named_not_the_forms(rf):
    for _ in range(LIMIT):
        login.claim_attempt(post(rf, "maria@shop.test", "198.51.100.1"))
    form_says_other = post(rf, "other@shop.test", "198.51.100.2")
    assert login.throttled(form_says_other, "maria@shop.test")
    assert not login.throttled(post(rf, "maria@shop.test", "198.51.100.2"), "other@shop.test")


def test_the_backend_asks_about_the_username_it_is_given(rf):
    backend = login.LoginThrottleBackend()
    for _ in range(LIMIT):
        login.claim_attempt(post(rf, "maria@shop.test", "198.51.100.1"))
    with pytest.raises(PermissionDenied):  # the form says another, the backend is given maria
        backend.authenticate(
            post(rf, "other@shop.test", "198.51.100.2"), username="maria@shop.test"
        )
    for _ in range(LIMIT):
        login.claim_attempt(post(rf, "", "198.51.100.4"))
    with pytest.raises(PermissionDenied):  # no username: the empty one, from a fresh client
        backend.authenticate(post(rf, "other@shop.test", "198.51.100.5"), username=None)
    assert backend.authenticate(post(rf, "", "198.51.100.6"), username="x@shop.test") is None


def test_a_desk_login_not_throttled_goes_on_to_the_password_check(rf, monkeypatch):
    seen = []

    def checked(view, request, *args, **kwargs):
        seen.append((request, args, kwargs))
        return "checked"

    monkeypatch.setattr("django.contrib.auth.views.LoginView.post", checked)
    request = post(rf)
    view = login.LoginView()
    view.setup(request)
    assert view.post(request, "a", b=1) == "checked"
    assert seen == [(request, ("a",), {"b": 1})]


def test_a_throttled_form_is_bound_to_the_request(rf):
    for _ in range(LIMIT):
        login.claim_attempt(post(rf))
    request = post(rf)
    response = login.LoginView.as_view()(request)
    assert response.context_data["form"].request is request


def test_a_login_refused_during_the_check_answers_429(rf, monkeypatch):
    def checked(view, request, *args, **kwargs):
        request._login_refused = True  # the backend found no slot free
        return "invalid login form"

    monkeypatch.setattr("django.contrib.auth.views.LoginView.post", checked)
    response = login.LoginView.as_view()(post(rf))
    assert response.status_code == 429


def test_signing_in_gives_back_the_clients_slot_so_an_office_is_never_locked_out(
    rf, django_user_model
):
    for n in range(50):  # 50 colleagues sign in from one address, each with the right password
        request = post(rf, f"person{n}@shop.test")
        assert login.claim_attempt(request)
        login.on_logged_in(None, request, django_user_model(email=f"person{n}@shop.test"))
    assert not login.throttled(post(rf, "next@shop.test"))
    for n in range(4 * LIMIT - 1):  # failures still count for the address
        login.claim_attempt(post(rf, f"guess{n}@shop.test"))
    assert not login.throttled(post(rf, "next@shop.test"))
    login.claim_attempt(post(rf, "last@shop.test"))
    assert login.throttled(post(rf, "next@shop.test"))
