"""Fixtures the reply queue's tests share (the synced samples are in tests/conftest.py)."""

import pytest

from inbox.models import Folder, Mailbox


@pytest.fixture
def folder(db):
    box = Mailbox.objects.create(name="shop", host="h", port=1, use_ssl=False, username="u",
                                 password="p")  # fmt: skip
    return Folder.objects.create(mailbox=box, role=Folder.Role.INBOX, name="INBOX")
