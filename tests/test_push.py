"""As deployed: `rundesk` (what `make run` serves) with a real Dovecot mailbox and Twilio's
library speaking to the Twilio stand-in. An urgent mail appended to the Inbox is on the
owner's phone within seconds: the watcher's IDLE starts a pass at once, the rule opens an
urgent escalation, and its commit asks the worker for the text. A normal one is texted
within the policy's digest window; a watcher or worker killed mid-way is started again and
the texts go on."""

import contextlib
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

from sellerdesk.devservers import free_port
from sellerdesk.devservers.twilio import TwilioStandIn
from tests.conftest import ROOT
from tests.escalations.fixtures import ACCOUNT_SID, AUTH_TOKEN, twilio_settings
from tests.test_project import alive, descendants

WITHIN = 5.0  # seconds from the mail's arrival to the text, median of five


def urgent_mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Amazon Seller Performance <seller-performance@amazon.com>"
    message["To"] = "seller@shop.test"
    message["Subject"] = f"Your account is at risk of deactivation (notice {n})"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@amazon.com>"
    message.set_content("Your seller account is at risk. Review Account Health in Seller Central.")
    return message.as_bytes()


def normal_mail() -> bytes:
    """Mail no rule knows: the owner is told, at the policy's pace."""
    message = EmailMessage()
    message["From"] = "Acme Packaging <billing@acme-packaging.test>"
    message["To"] = "seller@shop.test"
    message["Subject"] = "Invoice 4471: payment reminder"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@acme-packaging.test>"
    message.set_content("Our invoice 4471 for the May shipment of boxes is due on Friday.")
    return message.as_bytes()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_urgent_mail_reaches_the_owners_phone_within_seconds(tmp_path, mailbox):
    var = tmp_path / "var"
    log = var / "log" / "watcher.log"
    with TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN) as twilio:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
            "SELLERDESK_VAR_DIR": str(var),
            "IMAP_URL": mailbox.url,
            **twilio_settings(twilio.base_url),
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
        desk = subprocess.Popen(
            [*manage, "rundesk", "--addr", f"127.0.0.1:{free_port()}"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            listening = "/INBOX: listening for new mail (IDLE)"
            wait_for(
                lambda: log.exists() and listening in log.read_text(),
                60,
                "the watcher never listened",
            )
            took = [_one_urgent_mail(mailbox, twilio, n) for n in range(3)]
            # Worker health shows the watcher's state per folder.
            with contextlib.closing(sqlite3.connect(tmp_path / "desk.db")) as db:
                beats = dict(
                    db.execute(
                        "SELECT name, state FROM sellerdesk_workerbeat WHERE name LIKE 'watch %'"
                    )
                )
            assert beats == {"watch default/INBOX": "listening", "watch default/Spam": "listening"}

            # A normal mail waits for the policy's digest window at most (first text delay
            # plus the window; the one-minute sweep is the safety net beside it).
            with contextlib.closing(sqlite3.connect(tmp_path / "desk.db")) as db:
                first, window = db.execute(
                    "SELECT first_text_minutes, digest_minutes FROM escalations_escalationpolicy"
                ).fetchone() or (0, 5)
            before = len(twilio.accepted)
            started = time.monotonic()
            mailbox.append("INBOX", normal_mail())
            wait_for(
                lambda: len(twilio.accepted) > before,
                60 * (first + window) + 60,
                "the normal mail was never texted",
            )
            assert time.monotonic() - started < 60 * (first + window) + 60
            assert "Acme Packaging" in twilio.accepted[-1]["body"], twilio.accepted[-1]

            # The watcher dies: it is started again, listens again, and texts go on.
            os.killpg(os.getpgid(_pid_of(desk.pid, "sync_mail --watch")), signal.SIGKILL)
            wait_for(
                lambda: log.read_text().count(listening) >= 2,
                60,
                "the watcher was not started again",
            )
            took += [_one_urgent_mail(mailbox, twilio, n) for n in range(3, 5)]
            # The worker dies: it is started again and the texts go on (a mail that came
            # while it was down is texted once it is back).
            # Only its main process dies (its own workers left orphaned): the rest of its
            # group goes too, so no old worker takes tasks beside the new one.
            old_group = os.getpgid(_pid_of(desk.pid, "qcluster"))
            os.kill(old_group, signal.SIGKILL)
            took += [_one_urgent_mail(mailbox, twilio, n) for n in range(5, 7)]
            assert not _in_group(old_group), "the old worker's processes still run"
            print("seconds to the owner's phone:", [round(t, 2) for t in took])
            assert statistics.median(took) < WITHIN, took
            # Each urgent mail was texted once, alone.
            bodies = [m["body"] for m in twilio.accepted if "at risk" in m["body"]]
            assert len(bodies) == 7 and len(twilio.accepted) == 8, twilio.accepted
        finally:
            processes = descendants(desk.pid)
            os.killpg(desk.pid, signal.SIGINT)
            try:
                desk.wait(timeout=15)
            finally:
                for pid in processes:
                    if alive(pid):
                        os.kill(pid, signal.SIGKILL)


def _one_urgent_mail(mailbox, twilio: TwilioStandIn, n: int) -> float:
    before = len(twilio.accepted)
    started = time.monotonic()
    mailbox.append("INBOX", urgent_mail(n))
    wait_for(lambda: len(twilio.accepted) > before, 60, f"urgent mail {n} was never texted")
    return time.monotonic() - started


def _pid_of(root: int, command: str) -> int:
    """The first process under `root` running `manage.py <command>`."""
    for pid in descendants(root):
        with contextlib.suppress(OSError):
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            # qcluster names its processes "qcluster <process> <cluster>".
            if f"manage.py {command}" in cmdline or cmdline.startswith(f"{command} "):
                return pid
    pytest.fail(f"no {command} process")


def _in_group(group: int) -> list[int]:
    """The processes still running in process group `group`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found
