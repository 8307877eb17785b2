from django.conf import settings
from django.db import models
from django.utils import timezone

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

    about = models.CharField(max_length=16, choices=About.choices)
    summary = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    mail = models.ForeignKey(
        "inbox.Message", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="escalations",
    )  # fmt: skip
    # Mail that was already there when the mailbox was connected: recorded, not texted.
    notify_owner = models.BooleanField(default=True)
    answer = models.TextField(blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
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

    def __str__(self):
        return f"#{self.reference} {self.summary}"

    @property
    def reference(self) -> str:
        """The short code quoted in every text, derived from the id: #AB, #K7, #M2Q."""
        return reference_for(self.pk) if self.pk else ""
