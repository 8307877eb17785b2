"""Dovecot killed and restarted in the middle of a sync, and a link that dies while the
server is carrying out a move. After each, a normal run ends as a fault-free run would:
every mail stored once, every mail where its recorded actions put it, nothing lost, and
the failure shown in the desk while it lasted."""

import pytest
from django.urls import reverse

from inbox import actions
from inbox.imap import MailServerError
from inbox.models import MailAction, Mailbox, Message
from inbox.sync import mailbox_sync
from sellerdesk.devservers.tcpproxy import TcpProxy
from tests.faults.conftest import assert_ends_as_a_clean_run, fill, mailbox_for, on_server
from tests.inbox.conftest import make_mail

pytestmark = pytest.mark.django_db


def test_dovecot_killed_mid_sync_then_restarted(own_dovecot, seed_rules, client, assistant):
    total = fill(own_dovecot, "faulty", 400)
    fill(own_dovecot, "clean", 400)
    faulty = mailbox_for(own_dovecot, "faulty")
    batches = []

    def kill_after_first_batch(phase, done, _total):
        batches.append(done)
        if len(batches) == 1:
            own_dovecot.stop()  # SIGKILL to the whole server

    with pytest.raises(MailServerError) as failure:
        mailbox_sync(mailbox=faulty, progress=kill_after_first_batch)
    assert failure.value.retryable
    stored_before_restart = Message.objects.filter(mailbox=faulty).count()
    assert 0 < stored_before_restart < total
    client.force_login(assistant)
    assert (
        "last error: Cannot reach the mail server"
        in client.get(reverse("mail-list")).content.decode()
    )

    own_dovecot.start()
    mailbox_sync(mailbox=faulty)
    assert_ends_as_a_clean_run(own_dovecot, faulty, total)
    trashed = Message.objects.filter(mailbox=faulty, folder__role="trash")
    assert trashed.exists()
    assert all(m.actions.filter(state="done").exists() for m in trashed)


def test_a_move_whose_answer_is_lost_is_recorded_once_it_is_found_done(own_dovecot, seed_rules):
    """The server moved the mail to Trash, but the link died before it said so. The desk
    must not give up on the mail, nor move it twice: the next attempt finds it in Trash."""
    from imapclient import IMAPClient

    with IMAPClient("127.0.0.1", port=own_dovecot.port, ssl=False, timeout=10) as imap:
        imap.login("seller", own_dovecot.password)
        for n in range(20):
            imap.append("INBOX", make_mail(n))
    with TcpProxy(own_dovecot.port, lose_answer_to=rb"UID MOVE") as proxy:
        mailbox = mailbox_for(own_dovecot, "seller", port=proxy.port)
        mailbox_sync(mailbox=mailbox)
        chosen = list(Message.objects.filter(mailbox=mailbox).order_by("uid")[:5])
        requested = [actions.mail_action_request(message=m, kind="trash") for m in chosen]
        assert not actions.perform_one(action_id=requested[0].pk)
        assert proxy.answers_lost == 1
    failed = MailAction.objects.get(pk=requested[0].pk)
    assert failed.state == "failed" and "Cannot reach the mail server" in failed.last_error
    assert len(on_server(own_dovecot, "seller")["Trash"]) == 1  # the server did move it

    # The next sync runs before the action is due again: it sees the mail gone from the
    # Inbox. The action, when due, finds the mail in Trash instead of giving up.
    Mailbox.objects.filter(pk=mailbox.pk).update(port=own_dovecot.port)
    mailbox.refresh_from_db()
    mailbox_sync(mailbox=mailbox)
    MailAction.objects.filter(state="failed").update(next_attempt_at=failed.requested_at)
    mailbox_sync(mailbox=mailbox)

    server = on_server(own_dovecot, "seller")
    assert len(server["Trash"]) == 5 and len(server["INBOX"]) == 15
    for message in chosen:
        message.refresh_from_db()
        assert message.folder.role == "trash" and message.uid is not None
        assert message.removed_at is None
        assert message.actions.get().state == "done"
    # Undo works as after a move that went well.
    undo = actions.mail_action_undo(action=MailAction.objects.get(pk=requested[0].pk))
    assert actions.perform_one(action_id=undo.pk)
    assert len(on_server(own_dovecot, "seller")["INBOX"]) == 16
