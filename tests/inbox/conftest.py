import json
from email.message import EmailMessage
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "inbox" / "samples"
MANIFEST = json.loads((SAMPLES / "manifest.json").read_text())


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def make_mail(n: int, *, subject: str | None = None, body: str = "", **headers) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("from_", f"Sender {n} <sender{n}@example.test>")
    message["To"] = "orders@seller.test"
    message["Subject"] = subject or f"Message number {n}"
    message["Message-ID"] = headers.pop("message_id", f"<m{n}@example.test>")
    message["Date"] = "Fri, 20 Nov 2026 12:00:00 +0000"
    for key, value in headers.items():
        message[key.replace("_", "-")] = value
    message.set_content(body or f"Hello, this is message {n}.\n")
    return message.as_bytes()


def load_samples(mailbox) -> None:
    with mailbox.client() as client:
        for entry in MANIFEST:
            client.append(entry["folder"], sample(entry["file"]))
