"""The watcher and a mailbox connected with Microsoft while it runs: from the moment the
connection's first sync found the folders, new mail arrives within seconds (IDLE), not at
the next full pass."""

import subprocess
import sys
import time

import pytest

from inbox.models import Mailbox, Message
from inbox.sync import mailbox_sync
from tests.conftest import ROOT, manage_env
from tests.inbox.test_oauth import append_mail, connect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_mailbox_connected_while_the_watcher_runs_is_watched_within_seconds(
    client, oauth_settings, oauth_dovecot, standin
):
    address = "watched-later@shop.test"
    box = Mailbox.objects.create(
        name="later", host="127.0.0.1", port=oauth_dovecot.port, use_ssl=False,
        username=address, oauth_provider="microsoft",
    )  # fmt: skip
    env = manage_env(
        OAUTH_MICROSOFT_CLIENT_ID=standin.client_id,
        OAUTH_MICROSOFT_CLIENT_SECRET=standin.client_secret,
        OAUTH_MICROSOFT_AUTHORITY=standin.microsoft_authority,
    )
    env.pop("IMAP_URL", None)
    watcher = subprocess.Popen(
        [sys.executable, "manage.py", "sync_mail", "--watch"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        time.sleep(2)  # its first pass fails: not connected yet
        connect(client, address)
        mailbox_sync(mailbox=box)  # what the worker does on the connection
        lines = []
        deadline = time.monotonic() + 30
        while "later/INBOX: listening for new mail (IDLE)" not in "".join(lines):
            assert time.monotonic() < deadline, "".join(lines)
            lines.append(watcher.stdout.readline())
        started = time.monotonic()
        append_mail(oauth_dovecot, standin, address, "After connecting")
        while not Message.objects.filter(subject="After connecting").exists():
            assert time.monotonic() - started < 10, "the new mail waited for a full pass"
            time.sleep(0.1)
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
