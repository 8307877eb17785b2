import re

from django.conf import settings
from django.db import models
from django.utils import timezone

# An owner's link inside a text (its token answers as the owner): masked on assistant pages.
OWNER_LINK_IN_TEXT = re.compile(r"/o/[\w.\-]+/?")
# One word for a text that was kept in the outbox because no SMS provider is set, on every
# page: it was never sent.
KEPT = "Kept, not texted (no SMS provider)"

# Short, unambiguous reference codes quoted in texts: #K7, #M2Q.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def reference_for(number: int) -> str:
    """The escalation's number in base 32, at least two characters: 1 -> AB, 32 -> BA."""
    digits = ""
    while True:
        number, rest = divmod(number, len(CODE_ALPHABET))
        digits = CODE_ALPHABET[rest] + digits
        if number == 0:
            break
    return digits.rjust(2, CODE_ALPHABET[0])


def number_for(reference: str) -> int | None:
    """The escalation number a reference names (`#K7`, `k7`), or None if it names none."""
    code = reference.strip().lstrip("#").upper()
    if not code or any(ch not in CODE_ALPHABET for ch in code):
        return None
    number = 0
    for ch in code:
        number = number * len(CODE_ALPHABET) + CODE_ALPHABET.index(ch)
    return number or None


class Escalation(models.Model):
    """Something the owner must know or decide."""

    class About(models.TextChoices):
        MAIL = "mail", "A mail"
        BUYER_QUESTION = "buyer_question", "A buyer's question"
        DRAFT = "draft", "A draft reply to approve"
        AMAZON = "amazon", "An Amazon alert"
        NOTE = "note", "A note from the assistant"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        RESOLVED = "resolved", "Resolved"
        CANCELLED = "cancelled", "Cancelled"

    class AnswerKind(models.TextChoices):
        TEXT = "text", "Answered"
        APPROVED = "approved", "Approved the draft"
        EDITED = "edited", "Edited and approved the draft"
        DISMISSED = "dismissed", "Dismissed"

    class Urgency(models.TextChoices):
        URGENT = "urgent", "Urgent: texted alone, at once"
        NORMAL = "normal", "Normal: may share a digest"

    class Step(models.IntegerChoices):
        NONE = 0, "Not told yet"
        # The steps by name; what became of a step's text is `owner_told`.
        TEXTED = 1, "First text"
        RETEXTED = 2, "Second text"
        OTHER_CHANNELS = 3, "Emailed and posted to chat"

    about = models.CharField(max_length=16, choices=About.choices)
    summary = models.CharField(max_length=300, help_text="One or two sentences for the owner.")
    details = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    urgency = models.CharField(max_length=6, choices=Urgency.choices, default=Urgency.NORMAL)
    # A reply for the owner to approve (as is, or edited).
    draft = models.TextField(blank=True)
    mail = models.ForeignKey(
        "inbox.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations",
    )
    # A buyer's question or a draft reply to a buyer: the conversation it belongs to.
    conversation = models.ForeignKey(
        "buyers.Conversation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="escalations",
    )  # fmt: skip
    # What caused it, as a key the app that opened it names ("performance:3:US"): that app
    # resolves it by this key once the cause has ended.
    cause = models.CharField(max_length=100, blank=True, db_index=True)
    # Mail that was already there when the mailbox was connected: recorded, not texted.
    notify_owner = models.BooleanField(default=True)
    answer = models.TextField(blank=True)
    answer_kind = models.CharField(max_length=10, choices=AnswerKind.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=10, blank=True)  # page, link or text
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Why it closed, in words the assistant reads ("Reply sent to the buyer", ...).
    resolved_reason = models.CharField(max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where the escalation policy is: the last step taken, and when the next one is due
    # (swept by the worker; None once nothing more is due).
    step = models.PositiveSmallIntegerField(choices=Step.choices, default=Step.NONE)
    next_step_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open escalation per mail: a second look at the same mail adds nothing.
            models.UniqueConstraint(
                fields=["mail"],
                condition=models.Q(mail__isnull=False, state="open"),
                name="one_open_escalation_per_mail",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_step_at"],
                condition=models.Q(next_step_at__isnull=False),
                name="escalation_step_due",
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(state="open"), name="escalation_open"
            ),
            # The owner's answers, for answer suggestions: the few among all escalations.
            models.Index(
                fields=["-answered_at"],
                condition=models.Q(answer_kind__in=["text", "edited", "approved"]),
                name="escalation_owner_answer",
            ),
        ]

    def __str__(self):
        return f"#{self.reference} {self.summary}"

    @property
    def owner_told(self) -> str:
        """How far the owner was told, in the words the outbox uses: a text kept in the
        outbox (no SMS provider) is "Kept", never "Texted". Reads `told_backend` and
        `told_state` when the list annotated them (`selectors.with_owner_told`)."""
        if not self.notify_owner:
            return "Not texted (history)"
        if self.step not in (self.Step.TEXTED, self.Step.RETEXTED):
            return self.get_step_display()
        if hasattr(self, "told_state"):
            backend, state = self.told_backend, self.told_state
        else:
            backend, state = (
                self.notification_items.filter(step=self.step, channel="sms")
                .values_list("notification__backend", "notification__state")
                .first()
            ) or ("", "")
        again = " again" if self.step == self.Step.RETEXTED else ""
        if backend == "outbox" and state in ("sent", "delivered"):
            return f"{KEPT}{again}"
        if state in ("queued", "sending"):
            return f"Text{again} waiting to send"
        if state in ("failed", "undelivered"):
            return f"Text{again} not sent"
        return f"Texted{again}"

    @property
    def reference(self) -> str:
        """The short code quoted in every text, derived from the id: #AB, #K7, #M2Q."""
        return reference_for(self.pk) if self.pk else ""


class EscalationPolicy(models.Model):
    """How the owner is chased, edited in admin. One row; the defaults are the seed's."""

    first_text_minutes = models.PositiveIntegerField(
        default=0, help_text="Minutes after an escalation opens before the first text."
    )
    retext_hours = models.PositiveIntegerField(
        default=48, help_text="No answer this long after the first text: text again."
    )
    other_channels_hours = models.PositiveIntegerField(
        default=24,
        help_text="No answer this long after the second text: email the owner and post to chat.",
    )
    quiet_from = models.TimeField(
        null=True, blank=True, help_text="Owner's quiet hours start (desk time zone); texts wait."
    )
    quiet_until = models.TimeField(null=True, blank=True)
    urgent_waits_for_quiet_hours = models.BooleanField(
        default=False, help_text="Urgent texts wait for the end of quiet hours too."
    )
    digest_minutes = models.PositiveIntegerField(
        default=5,
        help_text="Texts due within this many minutes of each other go out as one text "
        "(0: one text each).",
    )

    class Meta:
        verbose_name_plural = "escalation policy"

    def __str__(self):
        return "Escalation policy"

    @classmethod
    def current(cls) -> "EscalationPolicy":
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class Notification(models.Model):
    """One message to the owner (a text, an email, a chat post), a row before it is sent."""

    class Channel(models.TextChoices):
        SMS = "sms", "Text"
        EMAIL = "email", "Email"
        CHAT = "chat", "Chat"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Not delivered"
        FAILED = "failed", "Gave up"

    channel = models.CharField(max_length=5, choices=Channel.choices)
    to = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    segments = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    backend = models.CharField(max_length=10, blank=True)  # twilio, outbox, smtp, webhook
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last attempt may have reached the provider: look there before sending again.
    maybe_sent = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField("sent (or kept) at", null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    escalations = models.ManyToManyField(
        Escalation, through="NotificationItem", related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["queued", "sending"]),
                name="notification_due",
            ),
            models.Index(
                fields=["state"],
                condition=models.Q(state__in=["failed", "undelivered"]),
                name="notification_failed",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.to or 'the owner'}: {self.body[:40]}"

    @property
    def kept(self) -> bool:
        """Kept in the desk's outbox (no SMS provider was set): never sent to anyone."""
        return self.backend == "outbox" and self.state in (self.State.SENT, self.State.DELIVERED)

    @property
    def state_label(self) -> str:
        """What became of it, in words; a text kept in the outbox was never sent."""
        return KEPT if self.kept else self.get_state_display()

    @property
    def owner_link(self) -> str:
        """The owner's link in the text (its path), for trying the owner's side of a kept
        text where that is allowed (`DEMO_ENABLED`)."""
        found = OWNER_LINK_IN_TEXT.search(self.body)
        return found.group(0) if found else ""

    @property
    def masked_body(self) -> str:
        """The body with the owner's link token taken out, for the assistant's pages."""
        return OWNER_LINK_IN_TEXT.sub("/o/(owner's link)/", self.body)

    @property
    def failed(self) -> bool:
        return self.state in (self.State.FAILED, self.State.UNDELIVERED)


class NotificationItem(models.Model):
    """Which escalation step a notification carries: at most one per step and channel, so
    a step is never sent twice, whatever the workers do."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="items")
    escalation = models.ForeignKey(
        Escalation, on_delete=models.CASCADE, related_name="notification_items"
    )
    step = models.PositiveSmallIntegerField(choices=Escalation.Step.choices)
    channel = models.CharField(max_length=5, choices=Notification.Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["escalation", "step", "channel"], name="one_notification_per_step"
            )
        ]

    def __str__(self):
        return f"#{self.escalation.reference} step {self.step} by {self.channel}"


class OwnerLink(models.Model):
    """The link in a text to the owner: a random token (72 bits) naming what it opens, so the
    whole link is the site URL plus a 16-character path and the summary keeps the room."""

    class Scope(models.TextChoices):
        ESCALATION = "escalation", "One escalation"
        DIGEST = "digest", "The escalations of one digest"

    token = models.CharField(max_length=16, unique=True)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    escalations = models.ManyToManyField(Escalation, related_name="owner_links")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.get_scope_display()} until {self.expires_at:%Y-%m-%d}"


class InboundText(models.Model):
    """A text the owner sent to the desk's number (a reply), kept as received."""

    message_sid = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=32)
    body = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    escalation = models.ForeignKey(
        Escalation, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_texts"
    )
    confirmation = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return f"{self.from_number}: {self.body[:40]}"
