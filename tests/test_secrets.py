"""Secrets at rest: unreadable in the raw tables without the key; keys rotate."""

import pytest
from django.db import connection

from inbox.models import Mailbox
from sellerdesk import crypto

pytestmark = pytest.mark.django_db


def raw(sql: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def test_a_mailbox_password_is_not_readable_in_the_table():
    Mailbox.objects.create(name="shop", host="h", port=993, username="u",
                           password="imap-app-password-123")  # fmt: skip
    (stored,) = raw("SELECT password FROM inbox_mailbox")
    assert "imap-app-password-123" not in stored
    assert Mailbox.objects.get().password == "imap-app-password-123"


def test_keys_rotate_new_first_old_still_reads(settings):
    settings.FIELD_ENCRYPTION_KEYS = ["old-key"]
    crypto._cipher.cache_clear()
    try:
        token = crypto.encrypt("Atzr|refresh")
        settings.FIELD_ENCRYPTION_KEYS = ["new-key", "old-key"]
        crypto._cipher.cache_clear()
        assert crypto.decrypt(token) == "Atzr|refresh"
        fresh = crypto.encrypt("Atzr|refresh")
        settings.FIELD_ENCRYPTION_KEYS = ["new-key"]
        crypto._cipher.cache_clear()
        assert crypto.decrypt(fresh) == "Atzr|refresh"
        with pytest.raises(Exception, match="FIELD_ENCRYPTION_KEYS"):
            crypto.decrypt(token)
    finally:
        crypto._cipher.cache_clear()
