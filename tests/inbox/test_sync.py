"""Syncing the seller's mailbox against a real Dovecot server."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from inbox.imap import FolderMissing, MailLoginError, MailServerError
from inbox.models import Folder, Mailbox, Message
from inbox.sync import mailbox_from_settings, mailbox_sync
from sellerdesk.devservers.tcpproxy import TcpProxy
from tests.inbox.conftest import MANIFEST, load_samples, make_mail


def server_flags(mailbox, folder="INBOX"):
    with mailbox.client() as client:
        client.select_folder(folder, readonly=True)
        return {
            uid: data[b"FLAGS"] for uid, data in client.fetch(client.search(), ["FLAGS"]).items()
        }


def test_first_sync_stores_inbox_and_spam(mailbox, desk_mailbox):
    load_samples(mailbox)
    report = mailbox_sync(mailbox=desk_mailbox)
    counts = {f.name: f.new for f in report.folders}
    assert counts == {
        "INBOX": sum(e["folder"] == "INBOX" for e in MANIFEST),
        "Spam": sum(e["folder"] == "Spam" for e in MANIFEST),
    }
    spam = Message.objects.get(folder__role=Folder.Role.SPAM)
    assert spam.from_name == "Marcus Lee - Amazon Marketplace"
    photo = Message.objects.get(subject__contains="111-2290471-6654829")
    [attachment] = photo.attachments.all()
    assert attachment.filename == "torn-mat.jpg"
    assert bytes(attachment.content)[:2] == b"\xff\xd8"
    bad = Message.objects.get(from_address="noreply@supplier-portal.test")
    assert "unknown charset" in bad.parse_problems
    assert all(m.is_history for m in Message.objects.all())
    desk_mailbox.refresh_from_db()
    assert desk_mailbox.history_imported_at and desk_mailbox.last_sync_at


def test_sync_never_marks_mail_read(mailbox, desk_mailbox):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    for folder in ("INBOX", "Spam"):
        assert all(b"\\Seen" not in flags for flags in server_flags(mailbox, folder).values())
    assert not Message.objects.filter(is_seen=True).exists()


def test_incremental_sync_fetches_only_new_mail(mailbox, desk_mailbox):
    for n in range(5):
        mailbox.append("INBOX", make_mail(n))
    mailbox_sync(mailbox=desk_mailbox)
    again = mailbox_sync(mailbox=desk_mailbox)
    assert [f.new for f in again.folders] == [0, 0]
    mailbox.append("INBOX", make_mail(99))
    third = mailbox_sync(mailbox=desk_mailbox)
    assert third.folders[0].new == 1
    assert Message.objects.count() == 6
    newest = Message.objects.get(message_id="<m99@example.test>")
    assert not newest.is_history


def test_flags_changed_elsewhere(mailbox, desk_mailbox):
    for n in range(3):
        mailbox.append("INBOX", make_mail(n))
    mailbox_sync(mailbox=desk_mailbox)
    with mailbox.client() as client:
        client.select_folder("INBOX")
        client.add_flags([2], [b"\\Seen", b"\\Flagged"])
    report = mailbox_sync(mailbox=desk_mailbox)
    assert report.folders[0].changed == 1
    changed = Message.objects.get(uid=2)
    assert changed.is_seen and "\\Flagged" in changed.flags
    assert Message.objects.filter(is_seen=False).count() == 2


def test_mail_deleted_elsewhere_is_kept_and_marked(mailbox, desk_mailbox):
    for n in range(3):
        mailbox.append("INBOX", make_mail(n))
    mailbox_sync(mailbox=desk_mailbox)
    with mailbox.client() as client:
        client.select_folder("INBOX")
        client.delete_messages([1])
        client.expunge()
    report = mailbox_sync(mailbox=desk_mailbox)
    assert report.folders[0].removed == 1
    gone = Message.objects.get(message_id="<m0@example.test>")
    assert gone.uid is None and gone.removed_at is not None
    assert Message.objects.filter(removed_at__isnull=True).count() == 2


def test_uidvalidity_change_resyncs_without_duplicates(mailbox, desk_mailbox):
    no_id = make_mail(4).replace(b"Message-ID: <m4@example.test>\n", b"")
    assert b"Message-ID" not in no_id
    mails = [make_mail(n) for n in range(4)] + [no_id]
    for raw in mails:
        mailbox.append("Spam", raw)
    mailbox_sync(mailbox=desk_mailbox)
    spam = Folder.objects.get(role=Folder.Role.SPAM)
    before = {m.content_hash: m.pk for m in spam.messages.all()}
    old_validity = spam.uidvalidity
    with mailbox.client() as client:  # the server renumbers the folder
        client.delete_folder("Spam")
        client.create_folder("Spam")
        for raw in mails[1:]:
            client.append("Spam", raw)
    report = mailbox_sync(mailbox=desk_mailbox)
    spam.refresh_from_db()
    assert spam.uidvalidity != old_validity
    assert report.folders[1].new == 0
    assert report.folders[1].relinked == 4
    assert report.folders[1].removed == 1
    assert {m.content_hash: m.pk for m in spam.messages.all()} == before
    assert spam.messages.filter(uid__isnull=False).count() == 4


def test_empty_mailbox(mailbox, desk_mailbox):
    report = mailbox_sync(mailbox=desk_mailbox)
    assert [(f.name, f.new) for f in report.folders] == [("INBOX", 0), ("Spam", 0)]


def test_duplicate_message_ids_are_both_kept(mailbox, desk_mailbox):
    mailbox.append("INBOX", make_mail(1, message_id="<same@x>"))
    mailbox.append("INBOX", make_mail(2, message_id="<same@x>"))
    mailbox_sync(mailbox=desk_mailbox)
    assert Message.objects.filter(message_id="<same@x>").count() == 2


def test_big_attachment_and_huge_header(mailbox, desk_mailbox, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = make_mail(1)
    from email import message_from_bytes, policy

    message = message_from_bytes(big, policy=policy.default)
    message.add_attachment(
        b"\x00" * (30 * 1024 * 1024),
        maintype="application",
        subtype="octet-stream",
        filename="big.bin",
    )
    mailbox.append("INBOX", message.as_bytes())
    mailbox.append("INBOX", b"X-Long: " + b"y" * 100_000 + b"\r\nSubject: long\r\n\r\nbody\r\n")
    report = mailbox_sync(mailbox=desk_mailbox)
    assert report.folders[0].new == 2
    big = Message.objects.get(message_id="<m1@example.test>")
    assert big.content.text.strip() == "Hello, this is message 1."
    attachment = big.attachments.get()
    assert attachment.filename == "big.bin"
    assert abs(attachment.size - 30 * 1024 * 1024) < 30 * 1024 * 1024 * 0.01
    assert attachment.content is None  # too big to keep: fetched from the server when opened
    assert Message.objects.get(subject="long").content.text.strip() == "body"
    # Synced again with nothing new: the large mail is not stored twice.
    assert mailbox_sync(mailbox=desk_mailbox).folders[0].new == 0


def test_broken_mime_is_stored_not_dropped(mailbox, desk_mailbox):
    broken = [
        b"Content-Type: multipart/mixed; boundary=zz\r\nSubject: no end\r\n\r\n--zz\r\nbroken",
        b"Subject: =?x-unknown?B?////?=\r\nContent-Type: text/plain; charset=bogus\r\n\r\n\xff\xfe",
        b"\r\n\r\nno headers at all",
        b"From: <<<>>>\r\nDate: 32 Foo 99999\r\nSubject: \x80\x81\r\n\r\nbad",
    ]
    for raw in broken:
        mailbox.append("INBOX", raw)
    report = mailbox_sync(mailbox=desk_mailbox)
    assert report.folders[0].new == len(broken)
    assert Message.objects.count() == len(broken)


def test_wrong_credentials_are_a_clear_error_and_write_nothing(mailbox, desk_mailbox):
    desk_mailbox.password = "wrong"
    desk_mailbox.save()
    with pytest.raises(MailLoginError, match="refused the login"):
        mailbox_sync(mailbox=desk_mailbox)
    desk_mailbox.refresh_from_db()
    assert "refused the login" in desk_mailbox.last_error
    assert not Folder.objects.exists() and not Message.objects.exists()
    assert desk_mailbox.sync_lease_until is None  # the lease is released


def test_configured_folder_that_does_not_exist(mailbox, desk_mailbox):
    desk_mailbox.spam_folder = "Nope"
    desk_mailbox.save()
    with pytest.raises(FolderMissing, match="'Nope' does not exist"):
        mailbox_sync(mailbox=desk_mailbox)


def test_unreachable_server_is_retryable(desk_mailbox):
    from sellerdesk.devservers import free_port

    desk_mailbox.port = free_port()
    desk_mailbox.save()
    with pytest.raises(MailServerError) as error:
        mailbox_sync(mailbox=desk_mailbox)
    assert error.value.retryable


def test_connection_dropped_mid_fetch_then_resumed(mailbox, desk_mailbox):
    for n in range(300):
        mailbox.append("INBOX", make_mail(n, body="x" * 2000))
    with TcpProxy(mailbox.server.port, cut_after=200_000) as proxy:
        desk_mailbox.port = proxy.port
        desk_mailbox.save()
        with pytest.raises(MailServerError):
            mailbox_sync(mailbox=desk_mailbox)
    stored = Message.objects.count()
    assert stored < 300
    desk_mailbox.port = mailbox.server.port
    desk_mailbox.save()
    mailbox_sync(mailbox=desk_mailbox)
    assert Message.objects.count() == 300
    assert Message.objects.values("uid").distinct().count() == 300


def test_a_second_pass_of_one_mailbox_is_skipped_while_one_runs(mailbox, desk_mailbox):
    from inbox.sync import _claim

    token = _claim(desk_mailbox)
    assert token
    assert mailbox_sync(mailbox=desk_mailbox).skipped
    assert not Message.objects.exists()


def test_the_lease_is_renewed_by_its_holder_once_it_is_half_a_minute_old(desk_mailbox):
    """A pass renews its lease after each batch, but writes it only when RENEW_AFTER has
    passed since it last did (by its own clock): a first sync's hundreds of batches do not
    each cost a statement."""
    import time

    from django.test.utils import CaptureQueriesContext

    from inbox.sync import LEASE, RENEW_AFTER, _claim, _Lease, _renew

    def until():
        return Mailbox.objects.get(pk=desk_mailbox.pk).sync_lease_until

    lease = _Lease(_claim(desk_mailbox))
    claimed = until()
    lease.written = time.monotonic() - RENEW_AFTER.total_seconds() + 5
    with CaptureQueriesContext(connection) as queries:
        _renew(desk_mailbox, lease)
    assert until() == claimed and not queries.captured_queries  # not due yet: nothing asked
    lease.written = time.monotonic() - RENEW_AFTER.total_seconds() - 1
    _renew(desk_mailbox, _Lease("another" + lease.token[7:], written=lease.written))
    assert until() == claimed  # not its lease
    before = timezone.now()
    _renew(desk_mailbox, lease)
    assert before + LEASE <= until() <= timezone.now() + LEASE
    assert time.monotonic() - lease.written < 1  # and the next is 30 s away again


def test_a_pass_goes_on_at_once_from_one_whose_process_was_killed(mailbox, desk_mailbox):
    """A watcher killed mid-pass leaves its lease behind: a process of the same host sees
    its holder is gone and syncs at once, instead of waiting out the lease. A holder that
    is still running, or on another host, keeps it."""
    import subprocess
    import sys

    from inbox.sync import _claim, _holder

    load_samples(mailbox)
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        host = _holder()[:8]
        for holder, skipped in [
            (f"{host}{alive.pid:08x}", True),  # still running
            (f"00000000{dead.pid:08x}", True),  # another host
            (f"{host}{dead.pid:08x}", False),  # killed part-way
        ]:
            Mailbox.objects.filter(pk=desk_mailbox.pk).update(
                sync_lease_until=timezone.now() + timedelta(minutes=5),
                sync_lease_token=holder + "0" * 16,
            )
            assert mailbox_sync(mailbox=desk_mailbox).skipped is skipped, holder
    finally:
        alive.kill()
        alive.wait()
    assert Message.objects.exists()
    assert _claim(desk_mailbox)  # the pass released the lease it took over


def test_imap_url_configures_the_default_mailbox(db, settings, mailbox):
    settings.IMAP_URL = f"imap://{mailbox.user}:p%40ss%3Aword@127.0.0.1:{mailbox.server.port}"
    default = mailbox_from_settings()
    assert (default.username, default.password) == (mailbox.user, "p@ss:word")
    assert not default.use_ssl
    settings.IMAP_URL = "imaps://other:pw@imap.example.com"
    default = mailbox_from_settings()
    assert (default.host, default.port, default.use_ssl) == ("imap.example.com", 993, True)
    assert Mailbox.objects.count() == 1


def test_sync_mail_command_prints_a_summary(mailbox, desk_mailbox, capsys):
    load_samples(mailbox)
    call_command("sync_mail")
    out = capsys.readouterr().out
    assert (
        "shop/INBOX: 14 new, 0 changed, 0 removed, 1 failed" in out or "shop/INBOX: 14 new" in out
    )
    assert "shop/Spam: 1 new" in out
    # The history went into search with each batch: nothing is left for the worker.
    assert "added to search" not in out
    assert Mailbox.objects.get().history_indexed_at is not None


def test_sync_mail_command_with_wrong_password(mailbox, desk_mailbox):
    desk_mailbox.password = "wrong"
    desk_mailbox.save()
    with pytest.raises(CommandError, match="refused the login"):
        call_command("sync_mail")


def test_sync_mail_without_a_mailbox(db, settings):
    settings.IMAP_URL = ""
    with pytest.raises(CommandError, match="set IMAP_URL"):
        call_command("sync_mail")


def test_large_mail_is_read_by_its_outline(mailbox, desk_mailbox):
    import os as _os
    from email import message_from_bytes, policy

    from inbox.attachments import attachment_content

    message = message_from_bytes(make_mail(7), policy=policy.default)
    message.add_alternative("<p>Hello <b>there</b></p>", subtype="html")
    small, big = _os.urandom(2000), _os.urandom(5 * 1024 * 1024)
    message.add_attachment(small, maintype="image", subtype="png", filename="small.png")
    message.add_attachment(big, maintype="application", subtype="zip", filename="big.zip")
    mailbox.append("INBOX", message.as_bytes())
    mailbox_sync(mailbox=desk_mailbox)
    stored = Message.objects.get(message_id="<m7@example.test>")
    assert stored.content.text.strip() == "Hello, this is message 7."
    assert "<b>there</b>" in stored.content.html
    kept = stored.attachments.get(filename="small.png")
    assert bytes(kept.content) == small
    remote = stored.attachments.get(filename="big.zip")
    assert remote.content is None
    assert attachment_content(attachment=remote) == big


def test_a_mailbox_of_100000_mails(mailbox, dovecot, db):
    tiny = [
        b"From: s%d@example.test\r\nSubject: n%d\r\nMessage-ID: <t%d@x>\r\n\r\nhi\r\n" % (n, n, n)
        for n in range(100_000)
    ]
    with mailbox.client() as client:
        for start in range(0, len(tiny), 1000):
            client.multiappend("INBOX", tiny[start : start + 1000])
    desk = Mailbox.objects.create(
        name="big",
        host="127.0.0.1",
        port=dovecot.port,
        use_ssl=False,
        username=mailbox.user,
        password=dovecot.password,
    )
    report = mailbox_sync(mailbox=desk)
    assert report.folders[0].new == 100_000
    assert Message.objects.count() == 100_000
    again = mailbox_sync(mailbox=desk)
    assert again.folders[0].new == 0


def test_demo_without_a_mail_server_runs_the_same_sync_rules_and_actions(db, tmp_path):
    """Where Dovecot is missing, `make run` loads the samples into a file-backed stand-in."""
    from buyers.models import BuyerMessage
    from inbox import actions
    from inbox.demo import sample_mailbox
    from inbox.models import MailAction

    demo = sample_mailbox(tmp_path / "demo-mail.json")
    report = mailbox_sync(mailbox=demo)
    assert sum(f.new for f in report.folders) == len(MANIFEST)
    trashed = Message.objects.filter(folder__role="trash")
    assert trashed.count() == sum(
        e["kind"] in ("order_notice", "own_copy", "fba") for e in MANIFEST
    )
    assert BuyerMessage.objects.count() == sum(e["kind"] == "buyer" for e in MANIFEST)
    # Undo works through the same actions; a second pass finds nothing new.
    move = MailAction.objects.filter(kind="trash", state="done").first()
    actions.perform_one(action_id=actions.mail_action_undo(action=move).pk)
    assert Message.objects.get(pk=move.message_id).folder.role == "inbox"
    again = mailbox_sync(mailbox=demo)
    assert sum(f.new for f in again.folders) == 0
    assert Message.objects.count() == len(MANIFEST)


def test_the_first_sync_puts_the_history_into_search_as_it_stores_it(mailbox, desk_mailbox):
    from inbox.selectors import message_page

    load_samples(mailbox)
    report = mailbox_sync(mailbox=desk_mailbox)  # no worker runs
    assert not report.history_to_index
    desk_mailbox.refresh_from_db()
    assert desk_mailbox.history_indexed_at is not None
    found = [m.subject for m in message_page(folder="all", search="Knoblauchpresse")]
    assert found and all(Message.objects.get(subject=s).is_history for s in found)


@pytest.mark.django_db(transaction=True)
def test_a_large_first_sync_puts_its_history_into_search_beside_the_sync(
    mailbox, seed_rules, monkeypatch
):
    """On PostgreSQL a large pass's batches are indexed after each commits, over a
    connection of their own (SQLite indexes each in its batch's transaction): either way the
    history is findable when the pass ends and nothing is left for the worker."""
    from inbox import search
    from inbox.selectors import message_page

    monkeypatch.setattr(search, "BESIDE_FROM", 1)  # the samples are a large pass here
    opened = []
    original = search.HistoryIndexer.expect
    monkeypatch.setattr(
        search.HistoryIndexer, "expect",
        lambda self, count: (original(self, count), opened.append(self._pool is not None)),
    )  # fmt: skip
    desk = Mailbox.objects.create(
        name="shop", host="127.0.0.1", port=mailbox.server.port, use_ssl=False,
        username=mailbox.user, password=mailbox.server.password,
    )  # fmt: skip
    load_samples(mailbox)
    report = mailbox_sync(mailbox=desk)
    assert opened and all(opened) == (connection.vendor == "postgresql")
    assert not report.history_to_index
    desk.refresh_from_db()
    assert desk.history_indexed_at is not None
    found = [m.subject for m in message_page(folder="all", search="Knoblauchpresse")]
    assert found and all(Message.objects.get(subject=s).is_history for s in found)


def test_the_first_sync_indexes_its_history_as_the_stored_mail_reads(mailbox, desk_mailbox):
    """SQLite indexes the first sync's history from the words at hand: what it holds is
    what reading the stored mail back gives (inbox.search.index_history)."""
    from inbox.search import index_history

    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    key = "rowid" if connection.vendor == "sqlite" else "message_id"
    contents = f"SELECT {key}, head, body FROM inbox_message_search ORDER BY 1"  # noqa: S608

    def index():
        with connection.cursor() as cursor:
            cursor.execute(contents)
            return [tuple(str(value) for value in row) for row in cursor.fetchall()]

    written = index()
    history = Message.objects.filter(is_history=True).count()
    assert len(written) == Message.objects.count() and history > 5
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM inbox_message_search")
    assert index_history() == history
    assert index() == written


def test_a_batch_is_stored_with_what_its_mail_calls_for_or_not_at_all(
    mailbox, desk_mailbox, monkeypatch
):
    """The mail of a batch, its decisions and what they call for (the reply queue, the
    owner) are written in one transaction: a failure part-way leaves nothing of the batch,
    and the next pass stores and files each mail once."""
    from django.db import DatabaseError

    from buyers.models import BuyerMessage
    from escalations.models import Escalation
    from inbox import classify

    load_samples(mailbox)
    real = classify.escalations_open_for_mail

    def refused(**kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(classify, "escalations_open_for_mail", refused)
    with pytest.raises(DatabaseError):
        mailbox_sync(mailbox=desk_mailbox)
    assert Message.objects.count() == BuyerMessage.objects.count() == 0
    assert not Folder.objects.filter(last_uid__gt=0).exists()

    monkeypatch.setattr(classify, "escalations_open_for_mail", real)
    mailbox_sync(mailbox=desk_mailbox)
    assert Message.objects.count() == len(MANIFEST)
    buyers = sum(e["kind"] == "buyer" for e in MANIFEST)
    assert BuyerMessage.objects.count() == buyers
    assert BuyerMessage.objects.values("message").distinct().count() == buyers
    escalated = Message.objects.filter(kind="escalate")
    assert Escalation.objects.filter(mail__in=escalated).count() == escalated.count() > 0
    assert not Message.objects.filter(acted_at__isnull=True, classified_at__isnull=False).exists()
