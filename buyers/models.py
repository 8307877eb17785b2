"""The reply queue's records. Their tables kept the names they had in the mailbox app, so a
database made before this app existed carries on untouched (see the migrations)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Conversation(models.Model):
    """Everything between the seller and one buyer about one order, through Amazon's relay.
    Waiting while a buyer message has no reply the mail server accepted; Amazon's 24 hours
    run from the oldest such message."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for a reply"
        ANSWERED = "answered", "Answered"

    relay_address = models.CharField(max_length=320)
    order_id = models.CharField(max_length=19, blank=True)
    buyer_name = models.CharField(max_length=255)
    marketplace = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=8, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    waiting_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # The owner was told the clock is running out, for this waiting period.
    near_limit_told_at = models.DateTimeField(null=True, blank=True)
    # A reply drafted from the owner's answer, for the assistant to send or edit.
    draft = models.TextField(blank=True)

    class Meta:
        db_table = "inbox_conversation"
        ordering = ["due_at", "-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["relay_address", "order_id"],
                                    name="one_conversation_per_buyer_and_order")
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["state", "due_at"], name="conversation_clock"),
            # The buyer's other conversations about the same order, beside each conversation.
            models.Index(fields=["order_id"], name="conversation_order"),
        ]

    def __str__(self):
        return f"{self.buyer_name} ({self.order_id or 'no order id'})"


class OfferedAnswers(models.Model):
    """The earlier answers offered for a conversation's question (`buyers.suggestions`),
    worked out once and read by the page until what they were drawn from changes: the
    question or a newer owner's answer (`drawn_from` is a digest of those), or FRESH_FOR
    passes. Answers sent since `answers_mark` are weighed in on top of what is kept."""

    conversation = models.OneToOneField(
        Conversation, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    drawn_from = models.CharField(max_length=64)
    answers_mark = models.BigIntegerField(
        default=0, help_text="The newest reply that answered a buyer when these were worked out."
    )
    worked_out_at = models.DateTimeField()
    offered = models.JSONField(default=list)

    class Meta:
        db_table = "buyers_offeredanswers"
        verbose_name_plural = "offered answers"

    def __str__(self):
        return f"{len(self.offered)} answers offered for conversation {self.conversation_id}"


class BuyerMessage(models.Model):
    """A buyer's message that reached the mailbox through Amazon's relay: the reply queue."""

    message = models.OneToOneField("inbox.Message", on_delete=models.CASCADE, related_name="buyer")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # Who, which order and which marketplace are the conversation's.
    # What the buyer wrote, without Amazon's frame around it.
    text = models.TextField(blank=True)
    received_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by_reply = models.ForeignKey(
        "Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    # "No response needed": recorded in the desk (Amazon's own flag is only in Seller Central).
    no_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    no_response_why = models.CharField(max_length=255, blank=True)

    class Meta:
        db_table = "inbox_buyermessage"
        ordering = ["received_at"]
        # The answered questions, newest first, for answer suggestions: read without
        # walking every buyer message the desk has filed.
        indexes = [
            models.Index(
                fields=["-message"],
                condition=models.Q(answered_by_reply__isnull=False),
                name="buyer_message_answered",
            )
        ]

    def __str__(self):
        return f"{self.conversation} at {self.received_at:%Y-%m-%d %H:%M}"


class Reply(models.Model):
    """A mail the desk sends in answer to a stored mail, a row before it is sent. The mail
    it answers is only touched (marked read, or trashed for a buyer) once the SMTP server
    has accepted the reply."""

    class State(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Accepted by the mail server"
        FAILED = "failed", "Not sent"
        BOUNCED = "bounced", "Returned undelivered"

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        HOLDING = "holding", "Holding reply (asking the owner)"

    message = models.ForeignKey("inbox.Message", on_delete=models.PROTECT, related_name="replies")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REPLY)
    from_address = models.CharField(max_length=320)
    to = models.CharField(max_length=320)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    # Our Message-ID for the reply: the thread's next mail refers to it.
    header_message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.SENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The delivery report that brought it back (`buyers.bounces`); `error` says why.
    returned_by = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    # A draft the owner approved (as it was, or edited) before it went.
    approved_in = models.ForeignKey(
        "escalations.Escalation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        db_table = "inbox_reply"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.subject} -> {self.to}"


class ReplyTemplate(models.Model):
    """A saved reply the assistant starts from, kept on the saved replies page or in admin.
    Placeholders: {buyer_name}, {order_id}, {assistant_name}. Removed from the page, it is
    set aside (`removed_at`) rather than deleted, and can be put back."""

    PLACEHOLDERS = ("buyer_name", "order_id", "assistant_name")

    class Purpose(models.TextChoices):
        REPLY = "reply", "A reply"
        HOLDING = "holding", "Holding reply while asking the owner"

    name = models.CharField(max_length=100)
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.REPLY)
    language = models.CharField(max_length=8, blank=True, help_text="e.g. en, de, ja; empty = any")
    body = models.TextField()
    order = models.PositiveIntegerField(default=100)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set aside: not offered to the assistant until put back."
    )

    class Meta:
        db_table = "inbox_replytemplate"
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name} ({self.language or 'any language'})"

    def render(self, *, buyer_name: str, order_id: str, assistant_name: str) -> str:
        values = {"buyer_name": buyer_name, "order_id": order_id or "your order",
                  "assistant_name": assistant_name}  # fmt: skip
        text = self.body
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text


class ReplyAttachment(models.Model):
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    class Meta:
        db_table = "inbox_replyattachment"

    def __str__(self):
        return self.filename
