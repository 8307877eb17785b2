"""The sync as the worker and the command run it: separate processes, killed, watching."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest

from inbox.models import Mailbox, Message, MessageContent
from inbox.sync import mailbox_sync
from sellerdesk.devservers.tcpproxy import TcpProxy
from tests.conftest import ROOT, manage_env
from tests.inbox.conftest import make_mail

pytestmark = pytest.mark.django_db(transaction=True)


def start_sync(imap_url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "sync_mail", *args],
        cwd=ROOT,
        env=manage_env(IMAP_URL=imap_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def state():
    return sorted(Message.objects.values_list("folder__name", "uid", "content_hash", "removed_at"))


def test_sync_killed_midway_then_run_again_ends_as_one_clean_run(mailbox, dovecot):
    for n in range(600):
        mailbox.append("INBOX" if n % 5 else "Spam", make_mail(n, body="y" * 3000))
    # Slow the link so the kill lands in the middle of the fetch.
    with TcpProxy(dovecot.port, latency=0.02) as proxy:
        url = f"imap://{mailbox.user}:{dovecot.password}@127.0.0.1:{proxy.port}"
        process = start_sync(url)
        wait_until(lambda: Message.objects.count() > 0, 60, "the first batch")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    partial = Message.objects.count()
    assert 0 < partial < 600
    # The killed pass left its lease; a new pass may take it over once it expires.
    Mailbox.objects.update(sync_lease_until=None)
    url = f"imap://{mailbox.user}:{dovecot.password}@127.0.0.1:{dovecot.port}"
    again = start_sync(url)
    assert again.wait(timeout=120) == 0, again.stdout.read().decode()
    after_kill = state()
    assert len(after_kill) == 600
    assert len({row[2] for row in after_kill}) == 600

    # One clean run of the same mail into a second mailbox gives the same picture.
    Message.objects.all().delete()
    clean = Mailbox.objects.create(
        name="clean",
        host="127.0.0.1",
        port=dovecot.port,
        use_ssl=False,
        username=mailbox.user,
        password=dovecot.password,
    )
    mailbox_sync(mailbox=clean)
    assert state() == after_kill


class Output:
    """A command's output, read line by line as it comes."""

    def __init__(self, process: subprocess.Popen):
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream):
        for line in iter(stream.readline, b""):
            self.lines.append(line.decode(errors="replace").rstrip())

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)


@contextmanager
def watching(imap_url: str):
    process = start_sync(imap_url, "--watch")
    output = Output(process)
    try:
        yield output
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise


def arrives_within(n: int, seconds: float, where: str):
    wait_until(
        lambda: Message.objects.filter(message_id=f"<m{n}@example.test>").exists(),
        seconds,
        f"mail {n} in {where}",
    )


def test_watch_picks_up_new_mail_within_seconds(mailbox, dovecot):
    url = f"imap://{mailbox.user}:{dovecot.password}@127.0.0.1:{dovecot.port}"
    with watching(url) as output:
        for folder in ("INBOX", "Spam"):
            wait_until(lambda f=folder: output.has(f"/{f}: listening"), 30, f"IDLE on {folder}")
        for folder, n in (("INBOX", 1), ("Spam", 2)):
            appended = time.monotonic()
            mailbox.append(folder, make_mail(n))
            arrives_within(n, 5, folder)
            assert time.monotonic() - appended < 5


def test_mail_arriving_while_the_watcher_starts_is_not_left_for_the_full_pass(mailbox, dovecot):
    """The first pass is done, IDLE is not up yet (a slow link): mail that arrives then is
    not reported by IDLE, and must not wait for the next full pass (minutes)."""
    with TcpProxy(dovecot.port, latency=0.05) as proxy:
        url = f"imap://{mailbox.user}:{dovecot.password}@127.0.0.1:{proxy.port}"
        with watching(url) as output:
            wait_until(
                lambda: Mailbox.objects.filter(last_sync_at__isnull=False).exists(),
                30,
                "the first pass",
            )
            mailbox.append("INBOX", make_mail(1))
            mailbox.append("Spam", make_mail(2))
            assert not output.has("listening"), "the mail came after IDLE was up"
            for n, where in ((1, "INBOX"), (2, "Spam")):
                arrives_within(n, 10, where)


def test_two_syncs_of_one_mailbox_at_once_store_everything_once(mailbox, dovecot):
    """Two workers (processes) start a pass on the same mailbox together: one takes the
    lease, the other steps aside; nothing is stored twice (SQLite here, PostgreSQL in CI)."""
    with mailbox.client() as client:
        mails = [make_mail(n, body="z" * 2000) for n in range(2000)]
        for start in range(0, len(mails), 500):
            client.multiappend("INBOX", mails[start : start + 500])
    url = f"imap://{mailbox.user}:{dovecot.password}@127.0.0.1:{dovecot.port}"
    first, second = start_sync(url), start_sync(url)
    outputs = []
    for process in (first, second):
        assert process.wait(timeout=120) == 0
        outputs.append(process.stdout.read().decode())
    assert Message.objects.count() == 2000
    assert Message.objects.values("uid").distinct().count() == 2000
    stored_by = [out for out in outputs if "INBOX: 2000 new" in out]
    # Either one pass stored all of it while the other stepped aside, or the second came
    # after the first had finished and found nothing new.
    assert len(stored_by) == 1, outputs


def test_two_workers_classify_1000_new_mails_each_exactly_once(seed_rules):
    """Two classifying processes at once on the same 1,000 new mails (PostgreSQL in CI)."""
    from buyers.models import BuyerMessage
    from escalations.models import Escalation
    from inbox.models import EmailRule, Folder, MailAction, MailKind

    desk = Mailbox.objects.create(
        name="two", host="127.0.0.1", port=1, use_ssl=False, username="u", password="p"
    )
    inbox = Folder.objects.create(mailbox=desk, role="inbox", name="INBOX")
    kinds = [
        ("Amazon Seller Central", "seller-notification@amazon.com", "Sold, ship now: x"),
        ("Ann Lee - Amazon Marketplace", "q{}@marketplace.amazon.com", "Question (Order: 111-2290471-6654829)"),
        ("Lin Wei", "lin@supplier.test", "Price increase"),
    ]  # fmt: skip
    Message.objects.bulk_create(
        Message(
            mailbox=desk, folder=inbox, origin=inbox, uid=n + 1, content_hash=f"h{n}",
            from_name=kinds[n % 3][0], from_address=kinds[n % 3][1].format(n),
            subject=kinds[n % 3][2],
        )
        for n in range(1000)
    )  # fmt: skip
    MessageContent.objects.bulk_create(
        MessageContent(message=m, text="hello") for m in Message.objects.filter(mailbox=desk)
    )
    workers = [
        subprocess.Popen([sys.executable, "manage.py", "classify_mail"], cwd=ROOT,
                         env=manage_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]  # fmt: skip
    outputs = [w.communicate(timeout=120)[0].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    assert not Message.objects.filter(classified_at__isnull=True).exists()
    decided = sum(int(out.split(" mails decided")[0].split()[-1]) for out in outputs)
    assert decided == 1000, outputs
    trash = Message.objects.filter(kind=MailKind.TRASH).count()
    assert EmailRule.objects.exists()
    assert MailAction.objects.filter(kind="trash").count() == trash == 334
    assert (
        BuyerMessage.objects.count() == Message.objects.filter(kind="buyer_message").count() == 333
    )
    assert Escalation.objects.count() == Message.objects.filter(kind="escalate").count() == 333
