"""Mail another client moves between the folders the desk syncs (the seller rescuing mail
from Spam on their phone, or moving it there) stays one mail in the desk: one row, one
decision, one escalation or one reply-queue entry, one text. Against a real Dovecot, the
second client a real IMAP client; texts through the real twilio library to the stand-in."""

import io

import pytest
from django.core.management import call_command

from buyers.models import BuyerMessage
from escalations.chase import notify_due
from escalations.delivery import deliver_due
from escalations.models import Escalation
from inbox import sync
from inbox.models import Folder, Message
from inbox.sync import mailbox_sync
from tests.inbox.conftest import make_mail, sample

UNKNOWN = sample("unknown-supplier.eml")
BUYER = sample("buyer-in-spam.eml")
OTHER = {"INBOX": "Spam", "Spam": "INBOX"}


def message_id_of(raw: bytes) -> str:
    return next(
        line.split(b":", 1)[1].strip().decode()
        for line in raw.splitlines()
        if line.lower().startswith(b"message-id:")
    )


def move(mailbox, raw: bytes, source: str, target: str) -> None:
    """The seller's phone moves the mail (IMAP MOVE), as any other client would."""
    message_id = message_id_of(raw)
    with mailbox.client() as client:
        client.select_folder(source)
        uids = client.search(["HEADER", "Message-ID", message_id])
        assert uids, f"{message_id} is not in {source}"
        client.move(uids, target)


def server_folder_of(mailbox, raw: bytes) -> str:
    found = []
    with mailbox.client() as client:
        for folder in ("INBOX", "Spam"):
            client.select_folder(folder, readonly=True)
            found += [
                (folder, uid) for uid in client.search(["HEADER", "Message-ID", message_id_of(raw)])
            ]
    assert len(found) == 1, found
    return found[0]


def sweep() -> None:
    notify_due()
    deliver_due()


@pytest.fixture
def arrived(mailbox, desk_mailbox, seed_rules, twilio, assistant):
    """The desk is connected (its history imported); then the mail arrives, is decided and
    the owner is texted, as the worker does it."""
    mailbox.append("INBOX", make_mail(1))
    mailbox_sync(mailbox=desk_mailbox)

    def arrive(raw: bytes, folder: str):
        mailbox.append(folder, raw)
        mailbox_sync(mailbox=desk_mailbox)
        sweep()
        return Message.objects.get(message_id=message_id_of(raw))

    return arrive


def assert_one(raw: bytes, mailbox, twilio, *, folder: str, kind: str) -> Message:
    rows = Message.objects.filter(message_id=message_id_of(raw))
    assert rows.count() == 1, list(rows.values_list("folder__name", "uid", "removed_at"))
    row = rows.get()
    where, uid = server_folder_of(mailbox, raw)
    assert (row.folder.name, row.uid, row.removed_at) == (where, uid, None)
    assert where == folder
    if kind == "unknown":
        assert Escalation.objects.filter(mail=row).count() == 1
        assert len(twilio.accepted) == 1, [m["body"] for m in twilio.accepted]
    elif kind == "buyer":
        assert BuyerMessage.objects.filter(message=row).count() == 1
    return row


@pytest.mark.parametrize(
    "raw,kind", [(UNKNOWN, "unknown"), (BUYER, "buyer")], ids=["unknown", "buyer"]
)
@pytest.mark.parametrize("start", ["Spam", "INBOX"])
def test_moved_between_passes(arrived, mailbox, desk_mailbox, twilio, raw, kind, start):
    first = arrived(raw, start)
    decided = (first.kind, first.classified_at, first.acted_at)
    move(mailbox, raw, start, OTHER[start])
    report = mailbox_sync(mailbox=desk_mailbox)
    sweep()
    row = assert_one(raw, mailbox, twilio, folder=OTHER[start], kind=kind)
    assert row.pk == first.pk
    assert (row.kind, row.classified_at, row.acted_at) == decided  # not decided again
    assert row.moved_from.name == start and row.moved_at is not None
    assert sum(f.new for f in report.folders) == 0
    assert sum(f.relinked for f in report.folders) == 1


@pytest.mark.parametrize(
    "raw,kind", [(UNKNOWN, "unknown"), (BUYER, "buyer")], ids=["unknown", "buyer"]
)
@pytest.mark.parametrize("start", ["Spam", "INBOX"])
@pytest.mark.parametrize("when", ["before INBOX", "between INBOX and Spam", "after Spam"])
def test_moved_during_a_pass(
    arrived, mailbox, desk_mailbox, twilio, monkeypatch, raw, kind, start, when
):
    first = arrived(raw, start)
    real = sync._sync_folder
    done = []

    def folder_pass(conn, folder, *args):
        if not done and when == f"before {folder.name}":
            move(mailbox, raw, start, OTHER[start])
            done.append(1)
        result = real(conn, folder, *args)
        if not done and (
            (when == "between INBOX and Spam" and folder.name == "INBOX")
            or (when == "after Spam" and folder.name == "Spam")
        ):
            move(mailbox, raw, start, OTHER[start])
            done.append(1)
        return result

    monkeypatch.setattr(sync, "_sync_folder", folder_pass)
    mailbox_sync(mailbox=desk_mailbox)
    sweep()
    monkeypatch.undo()
    assert done
    mailbox_sync(mailbox=desk_mailbox)  # the next pass sees what the last one could not
    sweep()
    row = assert_one(raw, mailbox, twilio, folder=OTHER[start], kind=kind)
    assert row.pk == first.pk


def test_moved_back_and_forth_across_a_uidvalidity_change(arrived, mailbox, desk_mailbox, twilio):
    first = arrived(UNKNOWN, "Spam")
    move(mailbox, UNKNOWN, "Spam", "INBOX")
    with mailbox.client() as client:  # the phone's app recreates Spam: new UIDVALIDITY
        client.delete_folder("Spam")
        client.create_folder("Spam")
    mailbox_sync(mailbox=desk_mailbox)
    move(mailbox, UNKNOWN, "INBOX", "Spam")
    mailbox_sync(mailbox=desk_mailbox)
    sweep()
    row = assert_one(UNKNOWN, mailbox, twilio, folder="Spam", kind="unknown")
    assert row.pk == first.pk


def test_a_notice_the_desk_trashed_and_the_seller_took_back_stays_where_they_put_it(
    arrived, mailbox, desk_mailbox
):
    from inbox.models import MailAction

    notice = sample("sold-ship-now.eml")
    row = arrived(notice, "INBOX")
    row.refresh_from_db()
    assert row.folder.role == Folder.Role.TRASH  # the rules trashed it
    move(mailbox, notice, "Trash", "INBOX")
    mailbox_sync(mailbox=desk_mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    row.refresh_from_db()
    assert (row.folder.name, row.moved_from.name) == ("INBOX", "Trash")
    assert Message.objects.filter(content_hash=row.content_hash).count() == 1
    assert MailAction.objects.filter(message=row).count() == 1  # not trashed a second time


def test_the_mail_page_says_another_client_moved_it(
    arrived, mailbox, desk_mailbox, client, assistant
):
    first = arrived(UNKNOWN, "Spam")
    move(mailbox, UNKNOWN, "Spam", "INBOX")
    mailbox_sync(mailbox=desk_mailbox)
    client.force_login(assistant)
    page = client.get(f"/mail/{first.pk}/").content.decode()
    assert "Moved to INBOX from Spam by another client at" in page


@pytest.mark.parametrize(
    "raw,kind", [(UNKNOWN, "unknown"), (BUYER, "buyer")], ids=["unknown", "buyer"]
)
@pytest.mark.parametrize("start", ["Spam", "INBOX"])
def test_moved_away_and_back_between_passes(
    arrived, mailbox, desk_mailbox, twilio, raw, kind, start
):
    """Back in the folder it left, under a new UID: the same mail, not a second one."""
    first = arrived(raw, start)
    move(mailbox, raw, start, OTHER[start])
    move(mailbox, raw, OTHER[start], start)
    mailbox_sync(mailbox=desk_mailbox)
    sweep()
    row = assert_one(raw, mailbox, twilio, folder=start, kind=kind)
    assert row.pk == first.pk


def stored_twice_the_old_way(first: Message, mailbox, raw: bytes) -> Message:
    """What the desk did before it recognised moves: the mail, moved Spam -> Inbox by the
    phone, became a second row in Inbox and was decided again; the first row was marked
    removed from the server."""
    from django.utils import timezone

    from inbox.classify import act_on_decisions, classify_pending
    from inbox.models import MessageContent

    move(mailbox, raw, "Spam", "INBOX")
    _, uid = server_folder_of(mailbox, raw)
    Message.objects.filter(pk=first.pk).update(uid=None, removed_at=timezone.now())
    double = Message.objects.get(pk=first.pk)
    content = MessageContent.objects.get(message=first)
    double.pk = None
    double.folder = Folder.objects.get(role=Folder.Role.INBOX)
    double.uid, double.removed_at = uid, None
    double.kind, double.rule, double.classified_at, double.acted_at = "", None, None, None
    double.save()
    content.pk, content.message = None, double
    content.save()
    classify_pending()
    act_on_decisions()
    sweep()
    return double


def test_mail_stored_twice_before_is_merged_and_the_duplicate_escalation_cancelled(
    arrived, mailbox, desk_mailbox, twilio
):
    first = arrived(UNKNOWN, "Spam")
    double = stored_twice_the_old_way(first, mailbox, UNKNOWN)
    assert len(twilio.accepted) == 2  # the owner was texted twice about one mail
    [kept_escalation] = Escalation.objects.filter(mail=first)
    [duplicate] = Escalation.objects.filter(mail=double)

    call_command("merge_duplicate_mail", "--dry-run", stdout=(dry := io.StringIO()))
    assert "Would merge" in dry.getvalue() and Message.objects.filter(pk=double.pk).exists()
    call_command("merge_duplicate_mail", stdout=(out := io.StringIO()))
    assert f"#{duplicate.reference}" in out.getvalue()

    row = assert_one(UNKNOWN, mailbox, twilio, folder="INBOX", kind="merged")
    assert row.pk == first.pk and row.moved_from.name == "Spam"
    duplicate.refresh_from_db()
    kept_escalation.refresh_from_db()
    assert duplicate.mail_id == first.pk  # its history stays, on the one mail
    assert duplicate.state == Escalation.State.CANCELLED
    assert f"#{kept_escalation.reference}" in duplicate.resolved_reason
    assert kept_escalation.state == Escalation.State.OPEN
    call_command("merge_duplicate_mail", stdout=(again := io.StringIO()))
    assert "0 mail stored twice merged" in again.getvalue()
    mailbox_sync(mailbox=desk_mailbox)
    assert Message.objects.filter(message_id=first.message_id).count() == 1


def test_a_buyer_message_stored_twice_is_one_queue_entry_again(arrived, mailbox, desk_mailbox):
    first = arrived(BUYER, "Spam")
    double = stored_twice_the_old_way(first, mailbox, BUYER)
    assert BuyerMessage.objects.filter(message__in=[first, double]).count() == 2
    call_command("merge_duplicate_mail", stdout=io.StringIO())
    [entry] = BuyerMessage.objects.filter(message__message_id=first.message_id)
    assert entry.message_id == first.pk
    first.refresh_from_db()
    assert (first.folder.name, first.removed_at) == ("INBOX", None)


def test_a_merge_keeps_the_escalation_the_owner_answered(arrived, mailbox, desk_mailbox, twilio):
    from escalations.services import escalation_answer

    first = arrived(UNKNOWN, "Spam")
    double = stored_twice_the_old_way(first, mailbox, UNKNOWN)
    [waiting] = Escalation.objects.filter(mail=first)
    [answered] = Escalation.objects.filter(mail=double)
    escalation_answer(escalation=answered, kind="text", text="Order 200 as usual.", via="text")
    call_command("merge_duplicate_mail", stdout=io.StringIO())
    waiting.refresh_from_db()
    answered.refresh_from_db()
    assert answered.state == "answered" and answered.mail_id == first.pk
    assert waiting.state == "cancelled" and f"#{answered.reference}" in waiting.resolved_reason


@pytest.mark.django_db(transaction=True)
def test_moved_both_ways_while_the_watcher_runs(mailbox, dovecot, seed_rules, twilio, assistant):
    """`sync_mail --watch` (its own process) syncs each move as the server reports it."""
    from tests.inbox.test_processes import wait_until, watching

    url = f"imap://{mailbox.user}:{dovecot.password}@127.0.0.1:{dovecot.port}"
    mailbox.append("INBOX", make_mail(1))  # the history the desk finds
    with watching(url) as output:
        for folder in ("INBOX", "Spam"):
            wait_until(lambda f=folder: output.has(f"/{f}: listening"), 30, f"IDLE on {folder}")
        for raw in (UNKNOWN, BUYER):
            mailbox.append("Spam", raw)
        ids = [message_id_of(raw) for raw in (UNKNOWN, BUYER)]
        wait_until(
            lambda: Message.objects.filter(message_id__in=ids, acted_at__isnull=False).count() == 2,
            15, "both mails decided",
        )  # fmt: skip
        sweep()
        for source, target in (("Spam", "INBOX"), ("INBOX", "Spam"), ("Spam", "INBOX")):
            for raw in (UNKNOWN, BUYER):
                move(mailbox, raw, source, target)

            def settled(target=target):
                rows = Message.objects.filter(message_id__in=ids, removed_at__isnull=True)
                return sorted(rows.values_list("folder__name", flat=True)) == [target] * 2

            wait_until(settled, 15, f"both in {target}")
            sweep()
    for raw, kind in ((UNKNOWN, "unknown"), (BUYER, "buyer")):
        assert_one(raw, mailbox, twilio, folder="INBOX", kind=kind)
