"""A long import's commits leave SQLite's log to a checkpoint thread
(sellerdesk/checkpoints.py): the log is copied into the database file while the import goes
on, and the connection checkpoints by itself again afterwards. On a database file of its
own, whichever engine the suite runs on."""

import os
import time

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from sellerdesk.checkpoints import AUTOCHECKPOINT, checkpoints_beside
from sellerdesk.env import env_database

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open databases of their own, not the suite's."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECKPOINT_TEST_URL", f"sqlite:///{tmp_path / 'import.sqlite3'}")
    settings = env_database("CHECKPOINT_TEST_URL", "")
    settings.update(ATOMIC_REQUESTS=False, AUTOCOMMIT=True, TIME_ZONE=None)
    wrapper = DatabaseWrapper(settings, alias="checkpoints")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE blobs (data BLOB)")
    yield wrapper
    wrapper.close()


def _autocheckpoint(database) -> int:
    with database.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


def _commit_megabytes(database, count: int) -> None:
    for n in range(count):
        with database.cursor() as cursor:  # autocommit: one commit each
            cursor.execute("INSERT INTO blobs VALUES (%s)", [bytes([n]) * MB])


def _file_size(database) -> int:
    return os.path.getsize(database.settings_dict["NAME"])


def test_the_log_reaches_the_database_file_while_the_import_goes_on(database):
    with checkpoints_beside(connection=database, every=0.05):
        assert _autocheckpoint(database) == 0  # the commits leave it to the thread
        before = _file_size(database)
        _commit_megabytes(database, 8)
        deadline = time.monotonic() + 10
        while _file_size(database) < before + 8 * MB and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _file_size(database) >= before + 8 * MB  # copied in by the thread
    assert _autocheckpoint(database) == AUTOCHECKPOINT
    with database.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(length(data)) FROM blobs")
        assert cursor.fetchone() == (8, 8 * MB)


def test_the_log_does_not_grow_with_the_whole_import(database):
    """A writer committing batch after batch seldom finds the log all copied back, so it
    would not start the log over: past `restart_at` pages the thread holds the next
    commit back until it has. Without that, the log grew to the size of everything the
    import wrote."""
    wal = database.settings_dict["NAME"] + "-wal"
    largest = 0
    with checkpoints_beside(connection=database, every=0.01, restart_at=64):  # 256 KB
        for n in range(80):  # 20 MB, back to back, each followed by a small update
            with database.cursor() as cursor:
                cursor.execute("INSERT INTO blobs VALUES (%s)", [bytes([n]) * (MB // 4)])
                cursor.execute("UPDATE blobs SET data = data WHERE rowid = 1")
            largest = max(largest, os.path.getsize(wal))
            time.sleep(0.002)  # the import's own work between its transactions
    assert largest < 8 * MB


def test_without_it_the_commits_alone_leave_the_log_in_the_log(database):
    """What the test above relies on: with the writer's own checkpoints off and no thread,
    the database file does not grow."""
    with database.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    before = _file_size(database)
    _commit_megabytes(database, 8)
    time.sleep(0.2)
    assert _file_size(database) < before + MB


def test_a_database_in_memory_is_left_alone():
    settings = env_database("CHECKPOINT_MEMORY_URL", "sqlite:///:memory:")
    settings.update(ATOMIC_REQUESTS=False, AUTOCOMMIT=True, TIME_ZONE=None)
    memory = DatabaseWrapper(settings, alias="memory")
    try:
        with checkpoints_beside(connection=memory):
            assert _autocheckpoint(memory) == AUTOCHECKPOINT
    finally:
        memory.close()
