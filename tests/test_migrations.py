"""A database made at the migrations of the head before the buyers app (main at e2e74e5)
migrates to today's schema with every row kept: the reply queue's tables changed app
without being touched, and a buyer message's copies of its conversation's fields went only
after a message without a conversation was given one made from them."""

import importlib
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# The leaf migration of each app at e2e74e5; the buyers app did not exist.
BEFORE = [
    ("sellerdesk", "0002_role_groups"),
    ("inbox", "0009_mail_action_open"),
    ("dashboard", "0003_snapshot_is_latest"),
    ("escalations", "0004_open_and_failed_indexes"),
    ("buyers", None),
]
AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SEEDED_LATER = [
    name
    for name, *_ in importlib.import_module(
        "buyers.migrations.0006_seed_more_holding_templates"
    ).TEMPLATES
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    nodes = [target for target in targets if target[1] is not None]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


def _old_desk(apps) -> dict:
    """Rows of every moved model, as the old schema holds them."""
    User = apps.get_model("sellerdesk", "User")
    Mailbox = apps.get_model("inbox", "Mailbox")
    Folder = apps.get_model("inbox", "Folder")
    Message = apps.get_model("inbox", "Message")
    Conversation = apps.get_model("inbox", "Conversation")
    BuyerMessage = apps.get_model("inbox", "BuyerMessage")
    Reply = apps.get_model("inbox", "Reply")
    ReplyAttachment = apps.get_model("inbox", "ReplyAttachment")
    ReplyTemplate = apps.get_model("inbox", "ReplyTemplate")
    Escalation = apps.get_model("escalations", "Escalation")

    maria = User.objects.create(email="maria@example.test", full_name="Maria Santos",
                                initials="MS", password="!")  # fmt: skip
    box = Mailbox.objects.create(name="shop", host="imap.test", username="u", password="p")
    inbox = Folder.objects.create(mailbox=box, role="inbox", name="INBOX")
    mails = [
        Message.objects.create(
            mailbox=box,
            folder=inbox,
            uid=n,
            content_hash=f"h{n}",
            from_name=f"Buyer {n} - Amazon Marketplace",
            from_address=f"b{n}@marketplace.amazon.de",
            subject=f"Order 302-000000{n}-1234567",
            date=AT,
        )
        for n in range(1, 5)
    ]
    ann = Conversation.objects.create(
        relay_address="b1@marketplace.amazon.de", order_id="302-0000001-1234567",
        buyer_name="Ann", marketplace="DE", language="de", state="answered",
        last_message_at=AT, draft="Hallo Ann",
    )  # fmt: skip
    bo = Conversation.objects.create(
        relay_address="b2@marketplace.amazon.de", order_id="302-0000002-1234567",
        buyer_name="Bo", marketplace="DE", state="waiting", waiting_since=AT, due_at=AT,
    )  # fmt: skip
    reply = Reply.objects.create(
        message=mails[0], conversation=ann, from_address="orders@seller.test",
        to="b1@marketplace.amazon.de", subject="Re: Order", body="Ihr Paket ist unterwegs.",
        header_message_id="<r1@seller.test>", state="sent", sent_by=maria, sent_at=AT,
    )  # fmt: skip
    ReplyAttachment.objects.create(reply=reply, filename="label.pdf",
                                   content_type="application/pdf", size=4, content=b"%PDF")  # fmt: skip
    BuyerMessage.objects.create(message=mails[0], conversation=ann, buyer_name="Ann",
                                relay_address=ann.relay_address, order_id=ann.order_id,
                                marketplace="DE", text="Wo ist mein Paket?", received_at=AT,
                                answered_at=AT, answered_by_reply=reply)  # fmt: skip
    BuyerMessage.objects.create(message=mails[1], conversation=bo, buyer_name="Bo",
                                relay_address=bo.relay_address, order_id=bo.order_id,
                                marketplace="DE", text="Size?", received_at=AT)  # fmt: skip
    BuyerMessage.objects.create(message=mails[2], conversation=bo, buyer_name="Bo",
                                relay_address=bo.relay_address, order_id=bo.order_id,
                                marketplace="DE", text="Hello?", received_at=AT,
                                no_response_by=maria, no_response_why="a thank-you")  # fmt: skip
    # Filed before conversations existed: its own columns are all that say who wrote.
    BuyerMessage.objects.create(message=mails[3], conversation=None, buyer_name="Cy",
                                relay_address="b4@marketplace.amazon.co.uk",
                                order_id="203-0000004-1234567", marketplace="UK",
                                text="Refund please", received_at=AT)  # fmt: skip
    ReplyTemplate.objects.create(name="Thanks (test)", purpose="reply", language="fr",
                                 body="Merci {buyer_name}", order=7)  # fmt: skip
    Escalation.objects.create(about="buyer_question", summary="Bo asks about the size",
                              conversation=bo)  # fmt: skip
    Escalation.objects.create(about="mail", summary="A bank writes", mail=mails[3])
    return {
        "conversations": Conversation.objects.count(),
        "buyer_messages": BuyerMessage.objects.count(),
        "replies": Reply.objects.count(),
        "attachments": ReplyAttachment.objects.count(),
        "templates": ReplyTemplate.objects.count(),
        "escalations": Escalation.objects.count(),
        "messages": Message.objects.count(),
    }


def test_a_database_from_before_the_buyers_app_migrates_with_every_row_kept():
    before = _old_desk(_migrate(BEFORE))
    try:
        apps = _migrate(None)
        Conversation = apps.get_model("buyers", "Conversation")
        BuyerMessage = apps.get_model("buyers", "BuyerMessage")
        Reply = apps.get_model("buyers", "Reply")
        ReplyAttachment = apps.get_model("buyers", "ReplyAttachment")
        ReplyTemplate = apps.get_model("buyers", "ReplyTemplate")
        Escalation = apps.get_model("escalations", "Escalation")
        Message = apps.get_model("inbox", "Message")

        after = {
            # The orphan's conversation is the one row added.
            "conversations": Conversation.objects.count() - 1,
            "buyer_messages": BuyerMessage.objects.count(),
            "replies": Reply.objects.count(),
            "attachments": ReplyAttachment.objects.count(),
            # The holding replies a later migration seeds are the rows added.
            "templates": ReplyTemplate.objects.exclude(name__in=SEEDED_LATER).count(),
            "escalations": Escalation.objects.count(),
            "messages": Message.objects.count(),
        }
        assert after == before

        ann = Conversation.objects.get(buyer_name="Ann")
        assert (ann.relay_address, ann.order_id, ann.marketplace, ann.language, ann.state,
                ann.draft) == ("b1@marketplace.amazon.de", "302-0000001-1234567", "DE", "de",
                               "answered", "Hallo Ann")  # fmt: skip
        first = BuyerMessage.objects.get(text="Wo ist mein Paket?")
        assert first.conversation_id == ann.pk and first.answered_at == AT
        reply = Reply.objects.get()
        assert first.answered_by_reply_id == reply.pk
        assert (reply.body, reply.conversation_id, reply.message_id, reply.state) == (
            "Ihr Paket ist unterwegs.",
            ann.pk,
            first.message_id,
            "sent",
        )
        assert bytes(ReplyAttachment.objects.get(reply=reply).content) == b"%PDF"
        bo = Conversation.objects.get(buyer_name="Bo")
        assert set(bo.messages.values_list("text", flat=True)) == {"Size?", "Hello?"}
        assert bo.messages.get(text="Hello?").no_response_why == "a thank-you"
        assert Escalation.objects.get(about="buyer_question").conversation_id == bo.pk
        assert ReplyTemplate.objects.get(name="Thanks (test)").body == "Merci {buyer_name}"

        cy = BuyerMessage.objects.get(text="Refund please").conversation
        assert (cy.buyer_name, cy.relay_address, cy.order_id, cy.marketplace, cy.state) == (
            "Cy",
            "b4@marketplace.amazon.co.uk",
            "203-0000004-1234567",
            "UK",
            "waiting",
        )
        assert cy.due_at is not None
    finally:
        _migrate(None)
