"""Attachment content: from the desk when it was kept, else from the mail server."""

from inbox.imap import connect
from inbox.mailstore import MailServerError
from inbox.models import Attachment
from inbox.parsing import decode_transfer


def attachment_content(*, attachment: Attachment) -> bytes:
    if attachment.content is not None:
        return bytes(attachment.content)
    message = attachment.message
    if message.uid is None:
        raise MailServerError("the mail is no longer on the server", retryable=False)
    with connect(message.mailbox) as conn:
        encoded = conn.fetch_part(message.folder.name, message.uid, attachment.part)
    return decode_transfer(encoded, attachment.encoding)
