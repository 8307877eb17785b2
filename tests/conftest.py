import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import hypothesis
import pytest
from django.contrib.auth.models import Group
from imapclient import IMAPClient

from inbox.sync import mailbox_sync
from sellerdesk.devservers.dovecot import DovecotServer
from sellerdesk.devservers.smtp import SmtpServer
from sellerdesk.models import User
from sellerdesk.roles import Role
from tests.inbox.conftest import load_samples

# Twilio's stand-in, a chat webhook and the owner's email (for any test that texts the owner),
# and the SP-API stand-in (for any test that pulls from Amazon).
pytest_plugins = [
    "tests.escalations.fixtures",
    "tests.dashboard.fixtures",
    "tests.oauth_fixtures",
]

IN_CI = os.environ.get("CI", "").lower() == "true"

# Property tests explore new cases on every developer's run; CI runs a fixed set, so a
# submission's result does not depend on the luck of the draw.
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis.settings.load_profile("ci")

# `make mutate` runs the tests once per mutant (mutmut sets MUTANT_UNDER_TEST): there the
# property tests try a few fixed examples, with nothing remembered from one mutant to the
# next, and the example tests pin the behaviour.
UNDER_MUTMUT = "MUTANT_UNDER_TEST" in os.environ
hypothesis.settings.register_profile(
    "mutants", max_examples=10, derandomize=True, deadline=None, database=None
)
if UNDER_MUTMUT:
    hypothesis.settings.load_profile("mutants")


def examples(count: int) -> int:
    """`count` examples for a property test that names its own, or the profile's few under
    `make mutate` (a count in `@settings` overrides any profile)."""
    return min(count, hypothesis.settings.default.max_examples) if UNDER_MUTMUT else count


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """A moment at a set time of day (UTC) on tomorrow's date: a test that freezes the clock
    there keeps its time of day (quiet hours, a day of pulls) on whatever day it runs, so
    nothing it makes has run out by the time it is checked."""
    day = (datetime.now(UTC) + timedelta(days=1)).date()
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def missing_server(what: str) -> None:
    """Skip on a developer's machine without `what`; in CI a missing server is a failure."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available.")
    pytest.skip(f"{what} is not available here.")


@pytest.fixture(scope="session")
def dovecot():
    if not DovecotServer.available():
        missing_server("Dovecot (apt-get install dovecot-imapd)")
    server = DovecotServer().start()
    yield server
    server.cleanup()


@dataclass
class Mailbox:
    """One test's own IMAP account on the shared Dovecot server."""

    server: DovecotServer
    user: str

    @property
    def url(self) -> str:
        return self.server.url(self.user)

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=10)
        client.login(self.user, self.server.password)
        return client

    def append(self, folder: str, raw: bytes, flags=()) -> None:
        with self.client() as client:
            client.append(folder, raw, flags=flags)


@pytest.fixture
def mailbox(dovecot) -> Mailbox:
    return Mailbox(dovecot, f"seller-{uuid.uuid4().hex[:10]}")


@pytest.fixture
def seed_rules(db):
    """The seed's mail rules, as their data migration installs them. A transactional test
    flushes the tables when it ends, so the tests after it put them back this way."""
    import importlib

    from django.apps import apps

    from inbox.models import EmailRule

    if not EmailRule.objects.exists():
        importlib.import_module("inbox.migrations.0002_seed_rules").install(apps, None)
        importlib.import_module("inbox.migrations.0011_buyer_rule_exact_relay").tighten(apps, None)
        importlib.import_module("inbox.migrations.0013_seed_urgent_amazon_rule").install(apps, None)


@pytest.fixture
def seed_reply_templates(db):
    """The reply templates their data migration installs, put back after a transactional
    test flushed them (as `seed_rules` does for the rules)."""
    import importlib
    from types import SimpleNamespace

    from buyers.models import ReplyTemplate

    if not ReplyTemplate.objects.exists():
        # The migration names the model where it lived then (inbox); it lives in buyers now.
        here = SimpleNamespace(get_model=lambda *_: ReplyTemplate)
        importlib.import_module("inbox.migrations.0007_seed_reply_templates").install(here, None)
        importlib.import_module("buyers.migrations.0006_seed_more_holding_templates").install(
            here, None
        )


@pytest.fixture
def run_tasks_inline(django_capture_on_commit_callbacks):
    """`with run_tasks_inline():` tasks enqueued on commit inside the block run when it ends,
    in this process, as the worker would run them."""
    from django_q.conf import Conf

    Conf.SYNC = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        Conf.SYNC = False


@pytest.fixture
def samples(mailbox, desk_mailbox, seed_rules, run_tasks_inline):
    """The sample mail in Dovecot, synced: each buyer sample a waiting conversation."""
    load_samples(mailbox)
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    return desk_mailbox


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(settings, smtp_server):
    """The desk's outgoing mail (EMAIL_URL) pointed at the SMTP fixture."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SELLER_EMAIL = "orders@seller.test"
    return smtp_server


@pytest.fixture
def desk_mailbox(db, mailbox):
    """The desk's Mailbox row for the test's Dovecot user."""
    from inbox.models import Mailbox

    return Mailbox.objects.create(
        name="shop",
        host="127.0.0.1",
        port=mailbox.server.port,
        use_ssl=False,
        username=mailbox.user,
        password=mailbox.server.password,
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each test process gets a test database of its own: two `make test` in one checkout,
    and `make mutate`'s mutants run side by side in forked processes (one shared file fails
    with "disk I/O error", which would count as a killed mutant)."""
    from django.conf import settings

    for config in settings.DATABASES.values():
        test = config.setdefault("TEST", {})
        if config["ENGINE"].endswith("sqlite3"):
            if test.get("NAME") and test["NAME"] != ":memory:":  # in memory: already private
                test["NAME"] = f"{test['NAME']}.{os.getpid()}"
        else:
            test["NAME"] = f"{test.get('NAME') or 'test_' + config['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing a password the production way takes most of a second; the tests sign people
    in hundreds of times and test who may do what, not the hash (Django's advice)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _person(email: str, role: str, name: str, initials: str) -> User:
    user = User.objects.create_user(email, "pass-for-tests-9", full_name=name, initials=initials)
    # A transactional test flushes the groups the migrations made: make them again.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def assistant(db) -> User:
    return _person("assistant@example.test", Role.ASSISTANT, "Maria Santos", "MS")


@pytest.fixture
def owner(db) -> User:
    return _person("owner@example.test", Role.OWNER, "Sam Carter", "SC")


@pytest.fixture
def admin_user(db) -> User:
    user = _person("admin@example.test", Role.ADMIN, "Alex Admin", "AA")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def database_url() -> str:
    """DATABASE_URL of the test database, for commands the tests run as subprocesses."""
    from django.db import connection

    config = connection.settings_dict
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{config['NAME']}"
    auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"postgres://{auth}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


def manage_env(**extra) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(), **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env
