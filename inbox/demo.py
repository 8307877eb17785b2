"""The demo mailbox `make run` serves: a local Dovecot holding the sample mail."""

import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from imapclient import IMAPClient

from inbox.models import Mailbox
from inbox.samplestore import SampleMailStore

SAMPLES = Path(__file__).resolve().parent / "samples"
DEMO_USER = "seller"


def sample_manifest() -> list[dict]:
    return json.loads((SAMPLES / "manifest.json").read_text())


# Buyers wrote this many hours before the demo starts, so its clocks show every state:
# plenty of time, close to Amazon's 24 hours, and overdue.
BUYER_HOURS_AGO = [2, 21, 27, 9, 5]


def demo_samples() -> list[tuple[str, bytes]]:
    """(folder, raw mail) for every sample; the buyers' mail dated to just now."""
    now = datetime.now(UTC)
    hours = iter(BUYER_HOURS_AGO * 2)
    mails = []
    for entry in sample_manifest():
        raw = (SAMPLES / entry["file"]).read_bytes()
        if entry["kind"] == "buyer":
            date = format_datetime(now - timedelta(hours=next(hours)))
            raw = re.sub(rb"(?m)^Date:.*$", b"Date: " + date.encode(), raw, count=1)
        mails.append((entry["folder"], raw))
    return mails


def seed_mailbox(*, port: int, password: str, user: str = DEMO_USER) -> int:
    """Append every sample to its folder, once: a mailbox that has mail is left alone."""
    with IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10) as client:
        client.login(user, password)
        for folder in ("INBOX", "Spam", "Trash"):
            client.select_folder(folder, readonly=True)
            if client.search():
                return 0
        count = 0
        for folder, raw in demo_samples():
            client.append(folder, raw)
            count += 1
        return count


def sample_mailbox(path):
    """Without a mail server: the samples in a file-backed stand-in, as a demo mailbox."""
    if not Path(path).exists():
        SampleMailStore.create(path, demo_samples())
    mailbox, _ = Mailbox.objects.update_or_create(
        name="demo",
        defaults={"host": "demo.invalid", "port": 143, "use_ssl": False, "username": DEMO_USER,
                  "password": "demo", "demo_file": str(path),
                  # The demo texts the owner (its outbox) about the samples, to show the way.
                  "text_owner_about_history": True},
    )  # fmt: skip
    return mailbox
