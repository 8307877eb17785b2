"""The demo mailbox `make run` serves: a local Dovecot holding the sample mail."""

import json
from pathlib import Path

from imapclient import IMAPClient

SAMPLES = Path(__file__).resolve().parent / "samples"
DEMO_USER = "seller"


def sample_manifest() -> list[dict]:
    return json.loads((SAMPLES / "manifest.json").read_text())


def seed_mailbox(*, port: int, password: str, user: str = DEMO_USER) -> int:
    """Append every sample to its folder, once: a mailbox that has mail is left alone."""
    with IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10) as client:
        client.login(user, password)
        for folder in ("INBOX", "Spam", "Trash"):
            client.select_folder(folder, readonly=True)
            if client.search():
                return 0
        count = 0
        for entry in sample_manifest():
            client.append(entry["folder"], (SAMPLES / entry["file"]).read_bytes())
            count += 1
        return count


def sample_mailbox(path):
    """Without a mail server: the samples in a file-backed stand-in, as a demo mailbox."""
    from inbox.models import Mailbox
    from inbox.samplestore import SampleMailStore

    if not Path(path).exists():
        SampleMailStore.create(
            path,
            [
                (entry["folder"], (SAMPLES / entry["file"]).read_bytes())
                for entry in sample_manifest()
            ],
        )
    mailbox, _ = Mailbox.objects.update_or_create(
        name="demo",
        defaults={"host": "demo.invalid", "port": 143, "use_ssl": False, "username": DEMO_USER,
                  "password": "demo", "demo_file": str(path),
                  # The demo texts the owner (its outbox) about the samples, to show the way.
                  "text_owner_about_history": True},
    )  # fmt: skip
    return mailbox
