"""Typed settings from the environment.

Every reader fails loudly (ImproperlyConfigured naming the variable) on a value it cannot
use, so a typo in a deployment stops start-up instead of quietly running with a default.
"""

import ipaddress
import os
from urllib.parse import parse_qsl, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from sellerdesk.mailwords import LOOPBACK

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_seconds(name: str, default: float) -> float:
    """A positive duration in seconds, fractions allowed (a network timeout)."""
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number of seconds.") from None
    if not 0 < number <= 3600:
        raise ImproperlyConfigured(f"{name}={value} must be between 0 and 3600 seconds.")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (_raw(name) or "").lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of: {', '.join(choices)}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> tuple:
    """Comma-separated IP addresses or networks (`10.0.0.0/8`, `::1`)."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)."
            ) from None
    return tuple(networks)


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...]) -> str:
    """A URL whose scheme is one of `schemes`; empty means not configured."""
    value = env_str(name, default)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(s + '://' for s in schemes)}; "
            f"got {parts.scheme + '://' if parts.scheme else 'no scheme'}."
        )
    if parts.scheme not in ("sqlite", "console", "memory") and not parts.hostname:
        raise ImproperlyConfigured(f"{name} has no host name.")
    try:
        parts.port  # noqa: B018 - urlsplit validates the port only when asked
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port.") from None
    return value


DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def env_database(name: str, default: str) -> dict:
    url = env_url(name, default, schemes=DATABASE_SCHEMES)
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} could not be read: {exc}") from None
    if config["ENGINE"].endswith("sqlite3"):
        # The web process and the worker write to one file: wait for a lock instead of
        # failing, and take the write lock at BEGIN so a read never has to upgrade.
        config["CONN_MAX_AGE"] = 0
        # Tests run commands as subprocesses against the test database: keep it in a file.
        config["TEST"] = {"NAME": f"{config['NAME']}.test"}
        config["OPTIONS"] = {
            "timeout": env_seconds("SQLITE_BUSY_SECONDS", 30),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database (postgres://user@host:5432/NAME).")
    return config


OAUTH_PROVIDERS = ("microsoft", "google")


def env_oauth_provider(name: str, url: str) -> str:
    """The `oauth=` of a mailbox URL (IMAP_URL, EMAIL_URL): "", "microsoft" or "google"."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    provider = query.get("oauth", "").lower()
    if not provider:
        return ""
    if provider not in OAUTH_PROVIDERS:
        raise ImproperlyConfigured(
            f"{name} has oauth={provider}; use oauth=microsoft or oauth=google."
        )
    if parts.password:
        raise ImproperlyConfigured(
            f"{name} signs in with oauth={provider}: leave the password out of the URL."
        )
    tls = parts.scheme in ("imaps", "smtps") or (
        parts.scheme == "smtp" and query.get("tls", "").lower() in ("1", "true", "yes", "on")
    )
    if not tls and parts.hostname not in LOOPBACK:
        raise ImproperlyConfigured(
            f"{name} signs in with oauth={provider}: the token goes only over TLS "
            "(imaps://...:993, smtp://...:587?tls=true or smtps://...:465)."
        )
    if not parts.username:
        raise ImproperlyConfigured(
            f"{name} signs in with oauth={provider}: put the mailbox's address in the URL "
            "(support%40shop.com@host)."
        )
    return provider


def env_email(name: str, default: str) -> dict:
    """Django's EMAIL_* settings from one URL: smtp://user:pass@host:587 (STARTTLS when
    the server offers it is not assumed: add ?tls=true), smtps://... for implicit TLS,
    console:// to print mail, memory:// for tests."""
    url = env_url(name, default, schemes=("smtp", "smtps", "console", "memory"))
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    query = {k: v for k, v in (p.split("=", 1) for p in parts.query.split("&") if "=" in p)}
    tls = query.get("tls", "false").lower() in ("1", "true", "yes", "on")
    oauth = bool(query.get("oauth"))
    return {
        "EMAIL_BACKEND": (
            "sellerdesk.smtp.OAuthEmailBackend"
            if oauth
            else "django.core.mail.backends.smtp.EmailBackend"
        ),
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": tls and parts.scheme == "smtp",
    }
