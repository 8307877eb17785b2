"""Actions on the server: recorded first, carried out once, retried, undoable."""

import pytest
from django.core.exceptions import ValidationError

from inbox import actions
from inbox.models import Folder, MailAction, Message
from inbox.sync import mailbox_sync
from tests.inbox.conftest import make_mail


def folder_uids(mailbox, folder):
    with mailbox.client() as client:
        client.select_folder(folder, readonly=True)
        return client.search()


@pytest.fixture
def synced(mailbox, desk_mailbox):
    for n in range(3):
        mailbox.append("INBOX", make_mail(n))
    mailbox.append("Spam", make_mail(50))
    mailbox_sync(mailbox=desk_mailbox)
    return desk_mailbox


def test_move_to_trash_and_undo(mailbox, synced, assistant):
    message = Message.objects.get(message_id="<m1@example.test>")
    action = actions.mail_action_request(message=message, kind="trash", by=assistant)
    assert action.state == MailAction.State.PENDING  # written before anything happens
    assert actions.perform_one(action_id=action.pk)
    action.refresh_from_db()
    message.refresh_from_db()
    assert action.state == MailAction.State.DONE
    assert (action.from_folder, action.to_folder) == ("INBOX", "Trash")
    assert message.folder.role == Folder.Role.TRASH
    assert message.uid in folder_uids(mailbox, "Trash")
    assert len(folder_uids(mailbox, "INBOX")) == 2

    undo = actions.mail_action_undo(action=action, by=assistant)
    assert actions.perform_one(action_id=undo.pk)
    message.refresh_from_db()
    assert message.folder.role == Folder.Role.INBOX
    assert len(folder_uids(mailbox, "INBOX")) == 3
    assert folder_uids(mailbox, "Trash") == []
    # The next sync sees the restored mail as the same row, not a new one.
    report = mailbox_sync(mailbox=synced)
    assert report.folders[0].new == 0
    assert Message.objects.filter(message_id="<m1@example.test>").count() == 1
    with pytest.raises(ValidationError):
        actions.mail_action_undo(action=action, by=assistant)


def test_undo_puts_spam_back_in_spam(mailbox, synced):
    message = Message.objects.get(message_id="<m50@example.test>")
    trash = actions.mail_action_request(message=message, kind="trash")
    actions.perform_one(action_id=trash.pk)
    actions.perform_one(action_id=actions.mail_action_undo(action=trash).pk)
    message.refresh_from_db()
    assert message.folder.name == "Spam"
    assert len(folder_uids(mailbox, "Spam")) == 1


def test_mark_read_and_unread(mailbox, synced):
    message = Message.objects.get(message_id="<m0@example.test>")
    read = actions.mail_action_request(message=message, kind="mark_read")
    actions.perform_one(action_id=read.pk)
    with mailbox.client() as client:
        client.select_folder("INBOX", readonly=True)
        assert b"\\Seen" in client.get_flags([message.uid])[message.uid]
    unread = actions.mail_action_undo(action=MailAction.objects.get(pk=read.pk))
    actions.perform_one(action_id=unread.pk)
    with mailbox.client() as client:
        client.select_folder("INBOX", readonly=True)
        assert b"\\Seen" not in client.get_flags([message.uid])[message.uid]
    message.refresh_from_db()
    assert not message.is_seen


def test_an_action_is_carried_out_once(mailbox, synced):
    message = Message.objects.get(message_id="<m2@example.test>")
    action = actions.mail_action_request(message=message, kind="trash")
    assert actions.perform_one(action_id=action.pk)
    assert not actions.perform_one(action_id=action.pk)  # already done: not claimed again
    assert actions._claim([action.pk]) is None


def test_failure_is_recorded_and_retried_by_the_next_sync(mailbox, synced):
    message = Message.objects.get(message_id="<m0@example.test>")
    port = synced.port
    synced.port = 1  # nothing listens there
    synced.save()
    action = actions.mail_action_request(message=message, kind="trash")
    assert not actions.perform_one(action_id=action.pk)
    action.refresh_from_db()
    assert action.state == MailAction.State.FAILED
    assert "Cannot reach the mail server" in action.last_error
    assert action.next_attempt_at > action.requested_at
    synced.port = port
    synced.save()
    MailAction.objects.filter(pk=action.pk).update(next_attempt_at=action.requested_at)
    mailbox_sync(mailbox=synced)  # the sync carries out due actions first
    action.refresh_from_db()
    assert action.state == MailAction.State.DONE
    assert len(folder_uids(mailbox, "Trash")) == 1


def test_mail_removed_elsewhere_cannot_be_trashed(mailbox, synced):
    message = Message.objects.get(message_id="<m0@example.test>")
    Message.objects.filter(pk=message.pk).update(uid=None, removed_at=message.created_at)
    message.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer on the server"):
        actions.mail_action_request(message=message, kind="trash")
