"""One login throttle for every form (the desk's and the admin's), per account and per client,
the client read from X-Forwarded-For only behind a trusted proxy, and counted in a store
every web worker shares: real gunicorn with three workers and no Redis reaches the limit at
the same count as one worker."""

import ipaddress
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from sellerdesk import env
from sellerdesk.devservers import free_port
from tests.conftest import ROOT

PASSWORD = "pass-for-tests-9"
PROXY = "127.0.0.1"  # the default TRUSTED_PROXIES


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


def behind_proxy(client_ip: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_ip}


def fail(client, path: str, email: str, times: int = 5, **extra) -> list[int]:
    return [
        client.post(path, {"username": email, "password": "wrong"}, **extra).status_code
        for _ in range(times)
    ]


@pytest.mark.django_db
def test_admin_login_is_throttled_like_the_desks(client, admin_user):
    assert fail(client, "/admin/login/", admin_user.email) == [200] * 5
    refused = client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()
    signed_in = client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD})
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "then"), [("/login/", "/admin/login/"), ("/admin/login/", "/login/")]
)
def test_one_count_for_every_login_form(client, admin_user, first, then):
    fail(client, first, admin_user.email, times=3)
    fail(client, then, admin_user.email, times=2)
    refused = client.post(then, {"username": admin_user.email, "password": PASSWORD})
    assert refused.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_refused_login_checks_no_password(client, assistant, monkeypatch):
    fail(client, "/login/", assistant.email)
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.backends.ModelBackend.authenticate",
        lambda *args, **kwargs: checked.append(1),
    )
    for path in ("/login/", "/admin/login/"):
        assert (
            client.post(path, {"username": assistant.email, "password": PASSWORD}).status_code
            == 429
        )
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/elsewhere/", {"username": assistant.email})
    assert authenticate(request, username=assistant.email, password=PASSWORD) is None
    assert checked == []  # any form that authenticates is refused before a password check


@pytest.mark.django_db
def test_failures_from_one_client_behind_the_proxy_do_not_lock_out_another(
    client, assistant, owner
):
    statuses = [
        client.post(
            "/login/", {"username": f"guess{n}@example.test", "password": "x"},
            **behind_proxy("203.0.113.7"),
        ).status_code
        for n in range(20)
    ]  # fmt: skip
    assert statuses == [200] * 20
    # The guesser is refused now, for any account ...
    attacker = client.post(
        "/login/", {"username": owner.email, "password": "x"}, **behind_proxy("203.0.113.7")
    )
    assert attacker.status_code == 429
    # ... the owner, at another address behind the same proxy, is not.
    page = client.post(
        "/login/", {"username": owner.email, "password": PASSWORD}, **behind_proxy("198.51.100.9")
    )
    assert page.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_ones_own_typos_lock_that_account_not_a_colleague_at_the_same_address(
    client, assistant, owner
):
    assert fail(client, "/login/", assistant.email, **behind_proxy("203.0.113.8")) == [200] * 5
    assert client.post("/login/", {"username": assistant.email, "password": PASSWORD},
                       **behind_proxy("203.0.113.8")).status_code == 429  # fmt: skip
    page = client.post(
        "/login/", {"username": owner.email, "password": PASSWORD}, **behind_proxy("203.0.113.8")
    )
    assert page.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(client, assistant, owner):
    """A client that writes its own X-Forwarded-For is still counted at its own address."""
    for n in range(20):
        client.post("/login/", {"username": f"nobody{n}@example.test", "password": "x"},
                    REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")  # fmt: skip
    refused = client.post("/login/", {"username": owner.email, "password": PASSWORD},
                          REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.99")  # fmt: skip
    assert refused.status_code == 429


def test_the_client_is_the_rightmost_address_no_trusted_proxy_added(rf, settings):
    from sellerdesk.client import client_address

    settings.TRUSTED_PROXIES = [
        ipaddress.ip_network("127.0.0.1"),
        ipaddress.ip_network("10.0.0.0/8"),
    ]

    def seen(peer, forwarded=None):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return client_address(rf.get("/", REMOTE_ADDR=peer, **extra))

    assert seen("203.0.113.7") == "203.0.113.7"
    assert seen("203.0.113.7", "1.2.3.4") == "203.0.113.7"  # not from a proxy: ignored
    assert seen("127.0.0.1", "198.51.100.9") == "198.51.100.9"
    assert seen("127.0.0.1", "6.6.6.6, 198.51.100.9") == "198.51.100.9"  # the client's own claim
    assert seen("127.0.0.1", "198.51.100.9, 10.1.2.3") == "198.51.100.9"  # two proxies
    assert seen("127.0.0.1", "garbage, 198.51.100.9") == "198.51.100.9"
    assert seen("127.0.0.1", "198.51.100.9, garbage") == "127.0.0.1"
    assert seen("127.0.0.1") == "127.0.0.1"
    assert seen("127.0.0.1", "2001:db8::1") == "2001:db8::1"


def test_trusted_proxies_are_typed_and_bad_ones_refused(monkeypatch):
    assert env.env_networks("TRUSTED_PROXIES", ["127.0.0.1", "::1"]) == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("::1/128"),
    )
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7")
    assert env.env_networks("TRUSTED_PROXIES", []) == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.168.1.7/32"),
    )
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")
    with pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXIES: 'proxy\.internal' is not"):
        env.env_networks("TRUSTED_PROXIES", [])


# --- Real gunicorn, several workers, no Redis --------------------------------------------


@pytest.fixture(scope="module")
def sqlite_desk(tmp_path_factory) -> dict:
    """A migrated SQLite file of its own (with the cache table), and the environment to serve it."""
    folder = tmp_path_factory.mktemp("throttle")
    environ = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}  # fmt: skip
    environ["DATABASE_URL"] = f"sqlite:///{folder / 'desk.sqlite3'}"
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                   cwd=ROOT, env=environ, check=True, timeout=120)  # fmt: skip
    return {"environ": environ, "folder": folder}


def hammer(desk: dict, workers: int, attempts: int = 20) -> tuple[list[int], set[str]]:
    """Wrong passwords for one account from one client, each on a new connection: the
    status of each answer, and which worker processes answered."""
    port = free_port()
    log = Path(desk["folder"]) / f"access-{workers}.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sellerdesk.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(s)s %(U)s"],
        cwd=ROOT, env=desk["environ"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # every worker loads Django first
            try:
                requests.get(base + "/login/", timeout=10).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # Its own account and client for each run, the client behind the (loopback) proxy.
        email, client = (
            f"target-{workers}@example.test",
            {"X-Forwarded-For": f"198.51.100.{workers}"},
        )
        statuses = []
        for _ in range(attempts):
            with requests.Session() as browser:  # a new connection: any worker may answer
                browser.headers.update(client)
                browser.get(base + "/login/", timeout=10)
                token = browser.cookies["csrftoken"]
                answer = browser.post(base + "/login/", timeout=10, data={
                    "username": email, "password": "wrong", "csrfmiddlewaretoken": token,
                })  # fmt: skip
                statuses.append(answer.status_code)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    pids = {
        line.split()[0] for line in log.read_text().splitlines() if re.search(r" /login/$", line)
    }
    return statuses, pids


def test_the_limit_holds_across_three_gunicorn_workers_without_redis(sqlite_desk):
    one, _ = hammer(sqlite_desk, workers=1)
    three, pids = hammer(sqlite_desk, workers=3)
    assert one == [200] * 5 + [429] * 15
    assert three == one, f"checked with 3 workers: {three.count(200)}, with 1: {one.count(200)}"
    assert len(pids) >= 2, "the requests should have been spread over the workers"


def test_a_burst_of_50_parallel_tries_through_threaded_workers_checks_at_most_the_limit(
    sqlite_desk,
):
    """Three gunicorn workers with 16 threads each, 50 wrong passwords sent at once: each
    attempt is counted before its password is checked, so at most 5 are checked (200, the
    form again) and the rest refused (429)."""
    from concurrent.futures import ThreadPoolExecutor

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sellerdesk.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--threads", "16"],
        cwd=ROOT, env=sqlite_desk["environ"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/login/", timeout=10).raise_for_status()
                break
            except requests.RequestException:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        browsers = []
        for _ in range(50):
            browser = requests.Session()
            browser.headers["X-Forwarded-For"] = "198.51.100.77"
            browser.get(base + "/login/", timeout=10)
            browsers.append(browser)
        start = threading.Barrier(50)

        def attempt(browser):
            start.wait()
            return browser.post(base + "/login/", timeout=60, data={
                "username": "burst@example.test", "password": "wrong",
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            }).status_code  # fmt: skip

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(attempt, browsers))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert statuses.count(200) <= 5, statuses
    assert statuses.count(429) >= 45 and set(statuses) <= {200, 429}, statuses
