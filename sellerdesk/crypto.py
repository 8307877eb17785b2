"""Secrets at rest: mailbox passwords and API keys are stored encrypted (Fernet).

Keys come from FIELD_ENCRYPTION_KEYS (comma-separated, newest first); any string works, it
is stretched to a Fernet key. The first key encrypts, every key decrypts, so a key is rotated
by putting a new one in front, re-saving the rows, then dropping the old one. Without the
variable the key is derived from SECRET_KEY.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _fernet_key(secret: str) -> bytes:
    digest = hashlib.sha256(b"sellerdesk-field-encryption:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _cipher() -> MultiFernet:
    secrets = settings.FIELD_ENCRYPTION_KEYS or [settings.SECRET_KEY]
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])


def encrypt(text: str) -> str:
    return _cipher().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: was a key removed "
            "before the rows were re-encrypted?"
        ) from None


class EncryptedTextField(models.TextField):
    """A text column whose value is kept encrypted in the database."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
