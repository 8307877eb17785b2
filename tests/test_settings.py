import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sellerdesk import env

ROOT = Path(__file__).resolve().parent.parent
PROD_SECRET = "x7Gq2-real-looking-secret-Vb9kLp3Zt8Rw1Yh6Nc4Md0Sf5Je2Ua7Xo3Ki9"


def run_python(code: str, **environ) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


SHOW = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'sellerdesk.settings'); django.setup(); from django.conf import settings; "


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("mysql://u@h/db", "DATABASE_URL must start with one of"),
        ("not a url", "DATABASE_URL must start with one of"),
        ("postgres://", "DATABASE_URL has no host name"),
        ("postgres://u@db.example:99999/x", "DATABASE_URL has an invalid port"),
        ("postgres://u@db.example:5432", "DATABASE_URL names no database"),
    ],
)
def test_bad_database_url_is_a_clear_error(monkeypatch, url, complaint):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match=complaint):
        env.env_database("DATABASE_URL", "sqlite:///x.db")


def test_bad_database_url_stops_manage_py_with_its_name():
    result = run_python(SHOW + "print(1)", DATABASE_URL="mysql://u@h/db")
    assert result.returncode != 0
    assert "DATABASE_URL must start with one of" in result.stderr


def test_database_url_postgres_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://desk:s%40cret@db.example:6543/sellerdesk")
    config = env.env_database("DATABASE_URL", "sqlite:///x.db")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 6543, "sellerdesk")
    assert config["PASSWORD"] == "s@cret"


def test_sqlite_default_waits_for_locks(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.env_database("DATABASE_URL", "sqlite:////tmp/desk.db")
    assert config["OPTIONS"]["timeout"] >= 10
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_bad_boolean_is_refused(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env.env_bool("DEBUG")


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("0", False), ("", False)])
def test_booleans(monkeypatch, value, expected):
    monkeypatch.setenv("DEBUG", value)
    assert env.env_bool("DEBUG", True) is expected


def test_bad_integer_is_refused(monkeypatch):
    monkeypatch.setenv("QCLUSTER_WORKERS", "two")
    with pytest.raises(ImproperlyConfigured, match="QCLUSTER_WORKERS"):
        env.env_int("QCLUSTER_WORKERS", 2)
    monkeypatch.setenv("QCLUSTER_WORKERS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("QCLUSTER_WORKERS", 2, minimum=1)


def test_allowed_hosts_list(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " desk.example.com, ,www.desk.example.com ")
    assert env.env_list("ALLOWED_HOSTS", []) == ["desk.example.com", "www.desk.example.com"]


def test_redis_url_switches_the_broker():
    code = SHOW + "print(settings.Q_CLUSTER.get('redis'), settings.Q_CLUSTER.get('orm'))"
    assert run_python(code).stdout.split() == ["None", "default"]
    with_redis = run_python(code, REDIS_URL="redis://127.0.0.1:6379/3")
    assert with_redis.stdout.split() == ["redis://127.0.0.1:6379/3", "None"]
    assert "REDIS_URL must start" in run_python(code, REDIS_URL="http://x").stderr


def test_worker_retry_is_longer_than_timeout(settings):
    assert settings.Q_CLUSTER["retry"] > settings.Q_CLUSTER["timeout"]


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sellerdesk.settings_production",
            "SECRET_KEY": PROD_SECRET,
            "ALLOWED_HOSTS": "desk.example.com",
            "SITE_URL": "https://desk.example.com",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_settings_refuse_the_dev_secret():
    result = run_python(
        SHOW + "print(1)",
        DJANGO_SETTINGS_MODULE="sellerdesk.settings_production",
        SITE_URL="https://desk.example.com",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_half_configured_twilio_is_a_clear_error():
    result = run_python(SHOW + "print(settings.TWILIO_ACCOUNT_SID)", TWILIO_ACCOUNT_SID="AC1")
    assert result.returncode != 0
    assert "TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER and OWNER_PHONE together" in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtps://me%40shop.com:p%3Ass@smtp.example.com",
            {
                "EMAIL_HOST": "smtp.example.com",
                "EMAIL_PORT": 465,
                "EMAIL_USE_SSL": True,
                "EMAIL_HOST_USER": "me@shop.com",
                "EMAIL_HOST_PASSWORD": "p:ss",
            },
        ),
        ("smtp://smtp.example.com:587?tls=true", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True}),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
    ],
)
def test_email_url_sets_djangos_mail_settings(monkeypatch, url, expected):
    monkeypatch.setenv("EMAIL_URL", url)
    config = env.env_email("EMAIL_URL", "console://")
    assert {k: config[k] for k in expected} == expected


@pytest.mark.parametrize("value", ["0", "-1", "soon", "99999"])
def test_bad_timeouts_are_refused(monkeypatch, value):
    monkeypatch.setenv("TWILIO_TIMEOUT", value)
    with pytest.raises(ImproperlyConfigured, match="TWILIO_TIMEOUT"):
        env.env_seconds("TWILIO_TIMEOUT", 15)


@pytest.mark.parametrize(
    ("proxies", "warned"),
    [
        (["0.0.0.0/0"], True), (["::/0"], True), (["0.0.0.0/4"], True),
        (["127.0.0.1", "::1"], False), (["10.0.0.0/8"], False), (["2001:db8::/48"], False),
    ],
)  # fmt: skip
def test_check_deploy_warns_on_trusted_proxies_that_cover_everyone(settings, proxies, warned):
    import ipaddress

    from sellerdesk.checks import trusted_proxies_cover_everyone

    settings.TRUSTED_PROXIES = tuple(ipaddress.ip_network(p) for p in proxies)
    found = trusted_proxies_cover_everyone(None)
    assert [w.id for w in found] == (["sellerdesk.W001"] if warned else [])


def test_the_trusted_proxies_check_runs_with_check_deploy(settings):
    import ipaddress

    from django.core import checks

    settings.TRUSTED_PROXIES = (ipaddress.ip_network("0.0.0.0/0"),)
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "sellerdesk.W001" in [w.id for w in found]


def test_every_setting_read_is_in_env_example():
    """Every variable settings.py reads (env_str("NAME", ...), env_url(...), and the rest)
    and the production settings' too, is listed in .env.example."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    source = "".join(
        (root / "sellerdesk" / name).read_text()
        for name in ("settings.py", "settings_production.py")
    )
    read = set(re.findall(r"\benv_[a-z_]+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    read |= set(re.findall(r"environ(?:\.get)?[\[(]\s*\"([A-Z][A-Z0-9_]*)\"", source))
    assert len(read) > 40  # the pattern still finds them
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (root / ".env.example").read_text(), re.M))
    assert read - listed == set(), f"read by the settings but not in .env.example: {read - listed}"
