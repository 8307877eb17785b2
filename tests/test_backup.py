"""The README's backup and restore, run as written: the copy holds the desk's data, and the
desk started on the restored copy reads the stored secrets with the same key."""

import shutil
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from inbox.models import Mailbox
from tests.conftest import ROOT, manage_env, missing_server

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "backup-test-Pa55-7d1c"
READ_BACK = (
    "from inbox.models import Mailbox, Message; "
    "m = Mailbox.objects.get(name='shop'); print(m.password, Message.objects.count())"
)


def desk_reads(database_url: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READ_BACK],
        cwd=ROOT, env=manage_env(DATABASE_URL=database_url), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def some_data():
    from inbox.models import Folder, Message

    mailbox = Mailbox.objects.create(name="shop", host="imap.example.test", port=993,
                                     use_ssl=True, username="orders", password=PASSWORD)  # fmt: skip
    inbox = Folder.objects.create(mailbox=mailbox, role="inbox", name="INBOX")
    for n in range(3):
        Message.objects.create(mailbox=mailbox, folder=inbox, uid=n + 1, content_hash=f"h{n}")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite pass runs the SQLite way")
def test_sqlite_backup_and_restore_as_the_readme_says(tmp_path):
    if not shutil.which("sqlite3"):
        missing_server("the sqlite3 command (apt-get install sqlite3)")
    some_data()
    copy = tmp_path / "sellerdesk-backup.sqlite3"
    subprocess.run(["sqlite3", connection.settings_dict["NAME"], f".backup '{copy}'"],
                   check=True, timeout=60)  # fmt: skip
    restored = tmp_path / "db.sqlite3"
    shutil.copy(copy, restored)  # the restore: the desk stopped, the copy put in place
    assert desk_reads(f"sqlite:///{restored}") == f"{PASSWORD} 3"
    assert PASSWORD.encode() not in restored.read_bytes(), "the password is stored encrypted"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL pass runs it")
def test_postgresql_backup_and_restore_as_the_readme_says(tmp_path):
    some_data()
    source = manage_env()["DATABASE_URL"]
    dump = tmp_path / "sellerdesk.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source],
                   check=True, timeout=120)  # fmt: skip
    target_name = f"sellerdesk_restore_{uuid.uuid4().hex[:8]}"
    target = source.rsplit("/", 1)[0] + "/" + target_name
    admin = source.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {target_name}"], check=True)
    try:
        subprocess.run(["pg_restore", "--clean", "--if-exists", f"--dbname={target}", str(dump)],
                       check=True, timeout=120)  # fmt: skip
        assert desk_reads(target) == f"{PASSWORD} 3"
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {target_name}"])
