"""The seed's rules applied by the sync, checked from the mail server's side."""

from django.core.management import call_command
from django.urls import reverse

from buyers.models import BuyerMessage
from escalations.models import Escalation
from inbox.classify import classify_pending
from inbox.models import EmailRule, MailAction, MailKind, Message
from inbox.parsing import parse_mail
from inbox.sync import mailbox_sync
from tests.inbox.conftest import MANIFEST, load_samples, make_mail, sample


def server_view(mailbox) -> dict:
    """{subject: (folder, seen)} as a second IMAP connection sees it."""
    seen = {}
    with mailbox.client() as client:
        for folder in ("INBOX", "Spam", "Trash"):
            client.select_folder(folder, readonly=True)
            uids = client.search()
            if not uids:
                continue
            data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"])
            for item in data.values():
                subject = parse_mail(item[b"BODY[]"]).subject
                seen[subject] = (folder, b"\\Seen" in item[b"FLAGS"])
    return seen


def test_one_sync_pass_handles_every_sample_as_the_seed_says(mailbox, desk_mailbox, settings):
    settings.IMAP_URL = ""
    load_samples(mailbox)
    call_command("sync_mail")
    on_server = server_view(mailbox)
    assert len(on_server) == len(MANIFEST)
    for entry in MANIFEST:
        subject = parse_mail(sample(entry["file"])).subject
        folder, seen = on_server[subject]
        stored = Message.objects.get(subject=subject)
        if entry["kind"] in ("order_notice", "own_copy", "fba"):
            assert folder == "Trash", entry["file"]
            assert stored.kind == MailKind.TRASH and stored.folder.name == "Trash"
        elif entry["kind"] == "buyer":
            assert folder == entry["folder"], entry["file"]
            queued = BuyerMessage.objects.get(message=stored)
            conversation = queued.conversation
            assert (conversation.order_id, conversation.buyer_name) == (
                entry["order_id"],
                entry["buyer_name"],
            )
        else:  # unknown and bad: kept where they are, unread, owner told
            assert (folder, seen) == (entry["folder"], False), entry["file"]
            assert stored.kind == MailKind.ESCALATE
            assert Escalation.objects.filter(mail=stored, state="open").count() == 1
    # Mail that was there when the mailbox was connected is history: nobody is texted.
    assert not Escalation.objects.filter(notify_owner=True).exists()


def test_decision_is_recorded_on_the_message(mailbox, desk_mailbox):
    mailbox.append("INBOX", sample("sold-ship-now.eml"))
    mailbox_sync(mailbox=desk_mailbox)
    message = Message.objects.get()
    assert message.rule_name.startswith("Sold, ship now")
    assert message.classified_at and message.classified_by is None
    assert message.decided_by == "the desk"
    [trash] = message.actions.all()
    assert trash.reason.startswith("rule: Sold, ship now") and trash.state == "done"


def test_new_unknown_mail_after_history_is_texted_and_read_mail_is_made_unread(
    mailbox, desk_mailbox
):
    mailbox_sync(mailbox=desk_mailbox)  # connected empty: the history is done
    mailbox.append("INBOX", make_mail(1), flags=[b"\\Seen"])
    mailbox_sync(mailbox=desk_mailbox)
    escalation = Escalation.objects.get()
    assert escalation.notify_owner
    assert escalation.summary == "Sender 1: Message number 1"
    assert escalation.reference
    with mailbox.client() as client:
        client.select_folder("INBOX", readonly=True)
        [uid] = client.search()
        assert b"\\Seen" not in client.get_flags([uid])[uid]


def test_admin_may_ask_to_text_about_history(mailbox, desk_mailbox):
    desk_mailbox.text_owner_about_history = True
    desk_mailbox.save()
    mailbox.append("INBOX", make_mail(1))
    mailbox_sync(mailbox=desk_mailbox)
    assert Escalation.objects.get().notify_owner


def test_a_mail_is_decided_once(mailbox, desk_mailbox):
    load_samples(mailbox)
    mailbox_sync(mailbox=desk_mailbox)
    counts = (MailAction.objects.count(), Escalation.objects.count(), BuyerMessage.objects.count())
    assert classify_pending().total == 0
    mailbox_sync(mailbox=desk_mailbox)
    assert (
        MailAction.objects.count(),
        Escalation.objects.count(),
        BuyerMessage.objects.count(),
    ) == counts


def test_editing_rules_does_not_retouch_handled_mail_unless_asked(mailbox, desk_mailbox):
    mailbox.append("INBOX", sample("unknown-supplier.eml"))
    mailbox_sync(mailbox=desk_mailbox)
    rule = EmailRule.objects.create(order=1, name="Supplier mail: keep", action="keep")
    rule.conditions.create(field="sender_address", operator="contains", value="bamboo-supply")
    mailbox_sync(mailbox=desk_mailbox)
    message = Message.objects.get()
    assert message.kind == MailKind.ESCALATE
    call_command("classify_mail", "--rerun")
    message.refresh_from_db()
    assert (message.kind, message.rule_name) == (MailKind.KEEP, "Supplier mail: keep")


def test_assistant_reruns_rules_and_chooses_the_kind_by_hand(
    client, assistant, mailbox, desk_mailbox
):
    mailbox.append("INBOX", sample("unknown-supplier.eml"))
    mailbox_sync(mailbox=desk_mailbox)
    message = Message.objects.get()
    client.force_login(assistant)
    page = client.get(reverse("mail-detail", args=[message.pk])).content.decode()
    assert "Tell the owner, keep it unread" in page and "no rule matched" in page
    client.post(reverse("mail-classify", args=[message.pk]), {"kind": "trash"})
    message.refresh_from_db()
    assert (message.kind, message.classified_by) == (MailKind.TRASH, assistant)
    trash = MailAction.objects.get(message=message, kind="trash")
    assert trash.requested_by == assistant and trash.reason == "chosen by hand"
    client.post(reverse("mail-classify", args=[message.pk]), {"kind": ""})  # re-run the rules
    message.refresh_from_db()
    assert message.kind == MailKind.ESCALATE
    response = client.post(reverse("mail-classify", args=[message.pk]), {"kind": "explode"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.kind == MailKind.ESCALATE


def test_buyer_mail_in_spam_is_queued_and_stays(mailbox, desk_mailbox):
    mailbox.append("Spam", sample("buyer-in-spam.eml"))
    mailbox_sync(mailbox=desk_mailbox)
    queued = BuyerMessage.objects.get()
    assert (queued.conversation.buyer_name, queued.conversation.marketplace) == ("Marcus Lee", "US")
    assert server_view(mailbox)[queued.message.subject][0] == "Spam"


def test_a_broken_rule_is_skipped_not_fatal(mailbox, desk_mailbox):
    EmailRule.objects.create(order=0, name="No conditions", action="trash")  # from a shell
    mailbox.append("INBOX", sample("sold-ship-now.eml"))
    mailbox_sync(mailbox=desk_mailbox)
    assert Message.objects.get().kind == MailKind.TRASH
