"""Attachment content: from the desk when it was kept, else from the mail server."""

import base64
import binascii
import quopri

from inbox.imap import MailServerError
from inbox.models import Attachment


def attachment_content(*, attachment: Attachment) -> bytes:
    if attachment.content is not None:
        return bytes(attachment.content)
    from inbox.sync import connect

    message = attachment.message
    if message.uid is None:
        raise MailServerError("the mail is no longer on the server", retryable=False)
    with connect(message.mailbox) as conn:
        encoded = conn.fetch_part(message.folder.name, message.uid, attachment.part)
    return decode_transfer(encoded, attachment.encoding)


def decode_transfer(data: bytes, encoding: str) -> bytes:
    """BODY[part] comes as it travelled: undo its Content-Transfer-Encoding."""
    if encoding == "base64":
        try:
            return base64.b64decode(data)
        except (binascii.Error, ValueError):
            return data
    if encoding == "quoted-printable":
        return quopri.decodestring(data)
    return data
