"""SQLite locked by another writer in the middle of a sync (a desk on SQLite has the web
process and the worker writing to one file). The sync fails with a clear error, and once
the lock is gone a normal run ends as a fault-free run would."""

import sqlite3
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.utils import timezone

from inbox.models import Message
from inbox.sync import LEASE, mailbox_sync
from tests.conftest import ROOT, manage_env
from tests.faults.conftest import assert_ends_as_a_clean_run, fill, mailbox_for, on_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="SQLite's database-wide write lock; the PostgreSQL pass kills workers instead",
    ),
]


@pytest.fixture
def short_busy_timeout():
    """The desk waits 30 s for a lock (SQLITE_BUSY_SECONDS); here, half a second."""
    options = connection.settings_dict["OPTIONS"]
    before = options["timeout"]
    options["timeout"] = 0.5
    connection.close()
    yield
    options["timeout"] = before
    connection.close()


def test_sqlite_locked_mid_sync_then_a_normal_run(own_dovecot, seed_rules, short_busy_timeout):
    total = fill(own_dovecot, "faulty", 300)
    fill(own_dovecot, "clean", 300)
    faulty = mailbox_for(own_dovecot, "faulty")
    other_writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)

    def lock_after_first_batch(phase, done, _total):
        if not other_writer.in_transaction:
            other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock

    try:
        with pytest.raises(OperationalError, match="database is locked"):
            mailbox_sync(mailbox=faulty, progress=lock_after_first_batch)
        # The command, run while the lock is still held, says so plainly.
        command = subprocess.run(
            [sys.executable, "manage.py", "sync_mail", "--mailbox", faulty.name],
            cwd=ROOT, env=manage_env(SQLITE_BUSY_SECONDS="0.5"), capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
        assert command.returncode == 1
        assert "faulty: the database refused a write (database is locked)" in command.stderr
        assert "Traceback" not in command.stderr
    finally:
        other_writer.rollback()
        other_writer.close()
    stored = Message.objects.filter(mailbox=faulty).count()
    assert 0 < stored < total
    server_after_fault = on_server(own_dovecot, "faulty")
    assert sum(map(len, server_after_fault.values())) == total  # nothing moved, nothing lost

    # The failed pass could not release its lease; the next pass after it expires runs.
    assert mailbox_sync(mailbox=faulty).skipped
    with time_machine.travel(timezone.now() + LEASE + timedelta(minutes=1)):
        mailbox_sync(mailbox=faulty)
        assert_ends_as_a_clean_run(own_dovecot, faulty, total)
