from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from inbox.rules import Condition, RuleError, _predicate
from sellerdesk.crypto import EncryptedTextField
from sellerdesk.models import OAuthProvider


class Mailbox(models.Model):
    """One of the seller's IMAP accounts. The default one comes from IMAP_URL."""

    DEFAULT_NAME = "default"

    name = models.CharField(max_length=60, unique=True)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    use_ssl = models.BooleanField("TLS", default=True)
    username = models.CharField(max_length=255)
    password = EncryptedTextField(
        blank=True, help_text="Stored encrypted. Empty for a mailbox that signs in with OAuth."
    )
    oauth_provider = models.CharField(
        "signs in with",
        max_length=20,
        blank=True,
        choices=[("", "Password"), *OAuthProvider.choices],
        help_text="Microsoft 365, Outlook.com and Gmail refuse passwords: choose Microsoft or "
        "Google, save, then use Connect with ... above.",
    )
    spam_folder = models.CharField(
        max_length=255, blank=True, help_text="Only when the server does not mark it \\Junk."
    )
    trash_folder = models.CharField(
        max_length=255, blank=True, help_text="Only when the server does not mark it \\Trash."
    )
    is_active = models.BooleanField(default=True)
    text_owner_about_history = models.BooleanField(
        default=False,
        help_text="Mail already in the mailbox when it was connected is imported as history "
        "and nobody is texted about it, unless this is set.",
    )
    # The demo on a machine without a mail server: a file of sample mail stands in for the
    # server, and what the desk does "on the server" is simulated there.
    demo_file = models.CharField(max_length=500, blank=True, editable=False)
    history_imported_at = models.DateTimeField(null=True, blank=True)
    # The mail that was there before the desk is in the search index (`inbox.search`): the
    # first sync stores it first, the worker indexes it right after.
    history_indexed_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # One sync pass at a time per mailbox, across workers: claimed with a conditional UPDATE.
    sync_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    sync_lease_token = models.CharField(max_length=32, blank=True, editable=False)

    # Written only by the sync with conditional UPDATEs; a save() of a form or of an
    # instance loaded earlier must never put an old lease or sync state back.
    SYNC_STATE = frozenset(
        {
            "history_imported_at",
            "history_indexed_at",
            "last_sync_at",
            "last_error",
            "last_error_at",
            "sync_lease_until",
            "sync_lease_token",
        }
    )

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self):
        return f"{self.name} ({self.username}@{self.host})"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname not in self.SYNC_STATE
            ]
        super().save(*args, **kwargs)


class Folder(models.Model):
    """A synced folder and where the sync stands in it."""

    class Role(models.TextChoices):
        INBOX = "inbox", "Inbox"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="folders")
    role = models.CharField(max_length=10, choices=Role.choices)
    name = models.CharField(max_length=255)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uidnext = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    highest_modseq = models.BigIntegerField(null=True, blank=True)
    exists = models.PositiveIntegerField(default=0)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "role"], name="one_folder_per_role")
        ]

    def __str__(self):
        return f"{self.mailbox.name}/{self.name}"


class MailKind(models.TextChoices):
    """What a rule (or a person) decided to do with a mail: the seed's kinds of mail."""

    TRASH = "trash", "Trash it"
    BUYER_MESSAGE = "buyer_message", "Buyer message: answer it"
    ESCALATE = "escalate", "Tell the owner, keep it unread"
    KEEP = "keep", "Leave it"


class EmailRule(models.Model):
    """One of the seed's instructions for a kind of mail, edited by an admin."""

    class Folders(models.TextChoices):
        BOTH = "both", "Inbox and Spam"
        INBOX = "inbox", "Inbox only"
        SPAM = "spam", "Spam only"

    order = models.PositiveIntegerField(default=100, help_text="Lower runs first.")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField("on", default=True)
    folders = models.CharField(max_length=5, choices=Folders.choices, default=Folders.BOTH)
    action = models.CharField(max_length=14, choices=MailKind.choices)
    # For "Tell the owner": urgent mail is texted alone at once, normal mail may share a digest.
    urgency = models.CharField(
        max_length=6,
        choices=[("urgent", "Urgent"), ("normal", "Normal")],
        default="normal",
        help_text="For mail the owner is told about: urgent is texted alone, at once.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class RuleCondition(models.Model):
    class Field(models.TextChoices):
        SENDER_ADDRESS = "sender_address", "Sender address"
        SENDER_NAME = "sender_name", "Sender name"
        SUBJECT = "subject", "Subject"
        BODY = "body", "Body"
        HEADER = "header", "Header"

    class Operator(models.TextChoices):
        CONTAINS = "contains", "contains"
        STARTS_WITH = "starts_with", "starts with"
        EQUALS = "equals", "equals"
        REGEX = "regex", "matches the regular expression"

    rule = models.ForeignKey(EmailRule, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(max_length=14, choices=Field.choices)
    header = models.CharField(
        max_length=100, blank=True, help_text="The header's name, for a header condition."
    )
    operator = models.CharField(max_length=12, choices=Operator.choices)
    value = models.CharField(max_length=1000)
    case_sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        what = f"header {self.header}" if self.field == self.Field.HEADER else self.field
        return f"{what} {self.get_operator_display()} {self.value!r}"

    def clean(self):
        try:
            _predicate(
                Condition(self.field, self.operator, self.value, self.header, self.case_sensitive)
            )
        except RuleError as exc:
            raise ValidationError(str(exc)) from None


class Message(models.Model):
    """A faithful copy of one mail, and where it is on the server now."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="messages")
    # Where the mail is now. uid is null while a UIDVALIDITY resync relocates it, and when
    # the mail was removed from the server by someone else (removed_at says when).
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="messages")
    uid = models.BigIntegerField(null=True, blank=True)
    # The folder it arrived in (Inbox or Spam): where an undone Trash puts it back.
    origin = models.ForeignKey(
        Folder, on_delete=models.PROTECT, related_name="arrivals", null=True, blank=True
    )
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    from_name = models.CharField(max_length=255, blank=True)
    from_address = models.CharField(max_length=320, blank=True, db_index=True)
    to = models.TextField(blank=True)
    cc = models.TextField(blank=True)
    subject = models.CharField(max_length=998, blank=True)
    date = models.DateTimeField(null=True, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)
    is_seen = models.BooleanField(default=False)
    flags = models.CharField(max_length=500, blank=True)
    parse_problems = models.TextField(blank=True)
    is_history = models.BooleanField(
        default=False, help_text="Was already in the mailbox when it was first connected."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The last move another client (the seller's phone, webmail) made: the desk found the
    # mail it holds in another folder (moved_from) when it synced at moved_at.
    moved_at = models.DateTimeField(null=True, blank=True)
    moved_from = models.ForeignKey(
        Folder, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    # The decision on this mail: which rule (none = no rule matched, or a person chose),
    # what it said to do, when, and who (no one = the desk's worker).
    kind = models.CharField(max_length=14, choices=MailKind.choices, blank=True)
    rule = models.ForeignKey(EmailRule, null=True, blank=True, on_delete=models.SET_NULL)
    rule_name = models.CharField(max_length=120, blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # When what the decision calls for (a server action, the reply queue, an escalation)
    # was queued: a decision is acted upon once.
    acted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["folder", "uid"], condition=Q(uid__isnull=False), name="one_row_per_uid"
            )
        ]
        indexes = [
            # Mail without a location is rare: a sync looks it up by content for every
            # batch, which must not cost a walk over the whole mailbox.
            models.Index(
                fields=["content_hash"], condition=Q(uid__isnull=True), name="unlocated_by_hash"
            ),
            models.Index(
                fields=["message_id"], condition=Q(uid__isnull=True), name="unlocated_by_msgid"
            ),
            models.Index(
                fields=["folder"],
                condition=Q(uid__isnull=True, removed_at__isnull=True),
                name="unlocated_in_folder",
            ),
            models.Index(
                fields=["mailbox"], condition=Q(classified_at__isnull=True), name="unclassified"
            ),
            models.Index(
                fields=["mailbox"],
                condition=Q(classified_at__isnull=False, acted_at__isnull=True),
                name="decided_not_acted",
            ),
        ]

    def __str__(self):
        return self.subject or "(no subject)"

    @property
    def decided_by(self) -> str:
        return self.classified_by.full_name if self.classified_by else "the desk"

    @property
    def sender(self) -> str:
        if self.from_name and self.from_address:
            return f"{self.from_name} <{self.from_address}>"
        return self.from_name or self.from_address or "(no sender)"


class MessageContent(models.Model):
    """The large parts of a stored mail, in a table of their own: the rows the desk scans,
    counts and updates (the Message rows) stay small however long the mail is."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, primary_key=True, related_name="content"
    )
    headers = models.TextField(blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    # Kept only for mail that could not be parsed at all.
    raw = models.BinaryField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"content of {self.message_id}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Null when larger than ATTACHMENT_MAX_BYTES: fetched from the server by `part` instead.
    content = models.BinaryField(null=True, blank=True, editable=False)
    part = models.CharField(max_length=50)
    encoding = models.CharField(max_length=20, blank=True)

    def __str__(self):
        return self.filename


class MailAction(models.Model):
    """An action on the server, written down before it is carried out, and undoable."""

    class Kind(models.TextChoices):
        TRASH = "trash", "Move to Trash"
        RESTORE = "restore", "Move back from Trash"
        MARK_READ = "mark_read", "Mark read"
        MARK_UNREAD = "mark_unread", "Mark unread"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    UNDO = {
        Kind.TRASH: Kind.RESTORE,
        Kind.RESTORE: Kind.TRASH,
        Kind.MARK_READ: Kind.MARK_UNREAD,
        Kind.MARK_UNREAD: Kind.MARK_READ,
    }
    MAX_ATTEMPTS = 8

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(
        max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    reason = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    requested_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Who is carrying it out now: set with the claim, so a batch knows its own rows.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    from_folder = models.CharField(max_length=255, blank=True)
    to_folder = models.CharField(max_length=255, blank=True)
    undoes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            # The checklist counts what is not done yet: a few rows among many done ones.
            models.Index(fields=["state"], condition=~Q(state="done"), name="mail_action_open")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def actor(self) -> str:
        return self.requested_by.full_name if self.requested_by else "the desk"

    @property
    def can_undo(self) -> bool:
        return self.state == self.State.DONE and not hasattr(self, "undone_by")
