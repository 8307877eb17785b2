"""A one-line summary of a mail for the owner, drafted without any outside service."""

import re

_SPACE = re.compile(r"\s+")


def summarize_mail(mail) -> str:
    sender = mail.from_name or mail.from_address or "Unknown sender"
    subject = _SPACE.sub(" ", mail.subject or "(no subject)").strip()
    return f"{sender}: {subject}"[:300]
