"""Flags on the server through the action run, for any number of mails; and the promises a
pass keeps on the server: reading leaves mail unread, and each folder's stored position is
where the server's mail ends, so an idle pass fetches nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import actions
from inbox.imap import connect
from inbox.models import Folder, MailAction, Message
from inbox.sync import mailbox_sync
from sellerdesk.devservers.tcpproxy import TcpProxy
from tests.inbox.conftest import make_mail

SEEN = b"\\Seen"


def fill(mailbox, count: int, folder: str = "INBOX") -> None:
    with mailbox.client() as client:
        for n in range(count):
            client.append(folder, make_mail(n, body=f"Body of mail {n}.\n"))


def seen_on_server(mailbox, folder: str = "INBOX") -> dict[int, bool]:
    with mailbox.client() as client:
        client.select_folder(folder, readonly=True)
        flags = client.get_flags(client.search())
    return {uid: SEEN in values for uid, values in flags.items()}


def request_all(messages, kind: str) -> list[int]:
    return [actions.mail_action_request(message=m, kind=kind).pk for m in messages]


def run_actions(desk_mailbox) -> int:
    with connect(desk_mailbox) as conn:
        return actions.perform_due(conn=conn, mailbox=desk_mailbox)


def test_two_mails_marked_read_in_one_store(mailbox, desk_mailbox):
    """The case that crashed: a compact UID set such as 2:3 in one STORE."""
    fill(mailbox, 3)
    with connect(desk_mailbox) as conn:
        conn.set_seen("INBOX", [2, 3], True)
        assert seen_on_server(mailbox) == {1: False, 2: True, 3: True}
        conn.set_seen("INBOX", [1, 2, 3], False)
    assert seen_on_server(mailbox) == {1: False, 2: False, 3: False}


@pytest.mark.django_db(transaction=True)
def test_marking_any_number_of_mails_read_and_unread(mailbox, desk_mailbox):
    fill(mailbox, 1500)
    mailbox_sync(mailbox=desk_mailbox)
    inbox = list(Message.objects.filter(folder__name="INBOX").order_by("uid"))
    assert len(inbox) == 1500
    for count in (1, 2, 1000, 1500):
        chosen = inbox[:count]
        read = request_all(chosen, MailAction.Kind.MARK_READ)
        assert run_actions(desk_mailbox) == count
        server = seen_on_server(mailbox)
        assert sum(server.values()) == count
        assert all(server[m.uid] for m in chosen)
        assert set(MailAction.objects.filter(pk__in=read).values_list("state", flat=True)) == {
            MailAction.State.DONE
        }
        assert Message.objects.filter(folder__name="INBOX", is_seen=True).count() == count

        unread = request_all(chosen, MailAction.Kind.MARK_UNREAD)
        assert run_actions(desk_mailbox) == count
        assert not any(seen_on_server(mailbox).values())
        assert set(MailAction.objects.filter(pk__in=unread).values_list("state", flat=True)) == {
            MailAction.State.DONE
        }
        assert not Message.objects.filter(is_seen=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_server_error_mid_run_leaves_the_rest_queued(mailbox, desk_mailbox):
    fill(mailbox, 1500)
    mailbox_sync(mailbox=desk_mailbox)
    inbox = list(Message.objects.filter(folder__name="INBOX").order_by("uid"))
    ids = request_all(inbox, MailAction.Kind.MARK_READ)
    port = desk_mailbox.port
    # The second STORE (UIDs 1001 on) reaches the server, but its answer never comes back.
    with TcpProxy(port, lose_answer_to=rb"STORE 1001:") as proxy:
        desk_mailbox.port = proxy.port
        desk_mailbox.save()
        ran = run_actions(desk_mailbox)
    assert ran == 1000  # no crash: the run goes on
    done = MailAction.objects.filter(pk__in=ids[:1000])
    rest = MailAction.objects.filter(pk__in=ids[1000:])
    assert set(done.values_list("state", flat=True)) == {MailAction.State.DONE}
    assert set(rest.values_list("state", flat=True)) == {MailAction.State.FAILED}
    for action in rest:
        assert not action.last_error.startswith("Gave up")
        assert action.attempts < MailAction.MAX_ATTEMPTS
        assert action.next_attempt_at > timezone.now()

    desk_mailbox.port = port
    desk_mailbox.save()
    rest.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert run_actions(desk_mailbox) == 500
    assert all(seen_on_server(mailbox).values())
    assert not MailAction.objects.exclude(state=MailAction.State.DONE).exists()


def test_fetching_in_a_folder_opened_read_write_leaves_mail_unread(mailbox, desk_mailbox):
    """Folders are opened read-only, but the fetch must not rely on it: it peeks."""
    fill(mailbox, 3)
    with connect(desk_mailbox) as conn:
        conn.client.select_folder("INBOX", readonly=False)
        mails = conn.fetch([1, 2, 3])
        assert all(mail.raw for mail in mails)
        assert all(SEEN.decode() not in mail.flags for mail in mails)
    assert seen_on_server(mailbox) == {1: False, 2: False, 3: False}


def test_the_stored_position_is_the_servers_last_uid_and_an_idle_pass_fetches_nothing(
    mailbox, desk_mailbox
):
    fill(mailbox, 5)
    fill(mailbox, 3, folder="Spam")
    mailbox_sync(mailbox=desk_mailbox)
    for folder in Folder.objects.filter(mailbox=desk_mailbox, role__in=["inbox", "spam"]):
        with mailbox.client() as client:
            client.select_folder(folder.name, readonly=True)
            assert folder.last_uid == max(client.search()), folder.name

    port = desk_mailbox.port
    with TcpProxy(port) as proxy:
        desk_mailbox.port = proxy.port
        desk_mailbox.save()
        report = mailbox_sync(mailbox=desk_mailbox)
    assert sum(f.new for f in report.folders) == 0
    assert proxy.sent, "the proxy saw the pass's commands"
    assert not [name for name in proxy.sent if "FETCH" in name], proxy.sent
