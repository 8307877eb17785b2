"""Fixtures the reply queue's tests share."""

import pytest

from inbox.models import Folder, Mailbox
from inbox.sync import mailbox_sync
from tests.inbox.conftest import load_samples


@pytest.fixture
def samples(mailbox, desk_mailbox, seed_rules, run_tasks_inline):
    load_samples(mailbox)
    with run_tasks_inline():
        mailbox_sync(mailbox=desk_mailbox)
    return desk_mailbox


@pytest.fixture
def folder(db):
    box = Mailbox.objects.create(name="shop", host="h", port=1, use_ssl=False, username="u",
                                 password="p")  # fmt: skip
    return Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
