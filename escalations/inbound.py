"""What comes back from Twilio: the owner's texts (each filed as the answer to an
escalation and confirmed with one short text) and the delivery reports of ours."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from escalations.compose import confirmation_for
from escalations.delivery import notification_queue, sweep_soon
from escalations.models import (
    Escalation,
    InboundText,
    Notification,
    NotificationItem,
    number_for,
)
from escalations.services import escalation_answer
from sellerdesk.selectors import the_owner

# What the owner may text back to a draft reply, after its reference: a word or two, any
# case, punctuation and emoji aside ("AH yes", "ah Yes!", "#AH ok send it", "AH 👍").
APPROVE = {"yes", "y", "yep", "yeah", "yup", "ok", "okay", "k", "approve", "approved", "send",
           "go", "sure", "fine", "👍", "ja", "oui", "si", "sí"}  # fmt: skip
DISMISS = {"no", "n", "nope", "dismiss", "dismissed", "reject", "decline", "don't", "dont",
           "nein", "non", "👎"}  # fmt: skip
FILLER = {"it", "please", "pls", "the", "reply", "draft", "that", "this", "as", "is", "ahead",
          "thanks", "thank", "you", "send", "do"}  # fmt: skip


class Outcome:
    NO_ITEM = "no item"  # nothing named, nothing open: kept as a note
    UNKNOWN = "unknown"  # a reference to no item at all
    CLOSED = "closed"  # the item named is answered, resolved or cancelled already
    FILED = "filed"  # an answer in words
    APPROVED = "approved"  # a draft approved by a word: it is sent
    DISMISSED = "dismissed"


def inbound_text_record(*, message_sid: str, from_number: str, body: str) -> InboundText:
    """A reply from the owner, filed on the item it names (`K7 ...`, `#K7 ...`) and nowhere
    else, or without a reference on the one texted last; to a draft reply a yes approves
    and sends it, a no dismisses it, anything else is an answer in words. Confirmed with one
    short text that says what happened. Twilio resending the same message changes nothing."""
    with transaction.atomic():
        inbound, created = InboundText.objects.get_or_create(
            message_sid=message_sid, defaults={"from_number": from_number, "body": body}
        )
        if not created:
            return inbound
        reference, rest = _split_reference(body)
        alone = True  # the text names its item, or the last text was about it alone
        if reference is not None:
            escalation = Escalation.objects.filter(pk=number_for(reference)).first()
        else:
            escalation, alone = _escalation_texted_last()
        if escalation is None:
            outcome = Outcome.UNKNOWN if reference else Outcome.NO_ITEM
            inbound.note = (
                f"No item #{reference.lstrip('#').upper()}: filed nowhere."
                if reference
                else "No open escalation to file it under."
            )
        else:
            inbound.escalation = escalation
            outcome, inbound.note = _answer(escalation, rest or body.strip(), alone=alone)
        text = confirmation_for(escalation, outcome=outcome, reference=reference)
        inbound.confirmation = notification_queue(
            Notification.Channel.SMS, to=from_number, body=text
        )
        inbound.save()
        sweep_soon()
    return inbound


def _answer(escalation: Escalation, text: str, *, alone: bool = True) -> tuple[str, str]:
    """File `text` on `escalation`; the outcome, and a note when nothing was filed."""
    if escalation.state != Escalation.State.OPEN:
        return (
            Outcome.CLOSED,
            f"#{escalation.reference} is {escalation.get_state_display().lower()}.",
        )
    kind, outcome = Escalation.AnswerKind.TEXT, Outcome.FILED
    # A yes or a no decides a draft only when it cannot be meant for another item: the text
    # names it, or the last text was about it alone (not a digest of several).
    if alone and escalation.about == Escalation.About.DRAFT and escalation.draft:
        word = answer_word(text)
        if word == "yes":
            kind, outcome, text = Escalation.AnswerKind.APPROVED, Outcome.APPROVED, ""
        elif word == "no":
            kind, outcome, text = Escalation.AnswerKind.DISMISSED, Outcome.DISMISSED, ""
    try:
        escalation_answer(
            escalation=escalation,
            kind=kind,
            text=text,
            via="text",
            by=the_owner(),  # the owner's number (the webhook checked it)
        )
    except ValidationError as exc:
        escalation.refresh_from_db()  # answered or closed meanwhile: the text says which
        return Outcome.CLOSED, "; ".join(exc.messages)[:200]
    return outcome, ""


def answer_word(text: str) -> str | None:
    """ "yes" or "no" when `text` says only that (in a word or two), else None."""
    words = [w for w in re.split(r"[^\w'👍👎]+", text.lower().replace("\u2019", "'")) if w]
    vocabulary = APPROVE | DISMISS | FILLER | {"not"}
    if not words or len(words) > 5 or not all(w in vocabulary for w in words):
        return None
    if any(w in DISMISS for w in words) or {"not", "send"} <= set(words):
        return "no"
    if "not" in words:  # "not sure", "not ok": words for the assistant, never a yes
        return None
    return "yes" if any(w in APPROVE for w in words) else None


def _split_reference(body: str) -> tuple[str | None, str]:
    """The reference the text starts with, and the rest. A first word is a reference when
    it starts with #, or is 2 to 4 characters of the references' alphabet written in
    capitals or holding a digit (`AH`, `k7`) and is not itself an answer (`YES`, `SEND`)."""
    text = body.strip()
    first, _, rest = text.partition(" ") if text else ("", "", "")
    word = first.rstrip(":,.-!")
    if word.startswith("#"):
        return (word, rest.strip(" :-,.")) if number_for(word) is not None else (None, text)
    looks_like = 2 <= len(word) <= 4 and (word.isupper() or any(c.isdigit() for c in word))
    if looks_like and number_for(word) is not None and word.lower() not in APPROVE | DISMISS:
        return word, rest.strip(" :-,.")
    return None, text


def _escalation_texted_last() -> tuple[Escalation | None, bool]:
    """The open item texted last, and whether that text was about it alone."""
    item = (
        NotificationItem.objects.filter(
            channel=Notification.Channel.SMS, escalation__state=Escalation.State.OPEN
        )
        .select_related("escalation")
        .order_by("-notification__created_at", "-pk")
        .first()
    )
    if item is None:
        return None, False
    alone = (
        not NotificationItem.objects.filter(notification_id=item.notification_id)
        .exclude(pk=item.pk)
        .exists()
    )
    return item.escalation, alone


TWILIO_STATES = {
    "delivered": Notification.State.DELIVERED,
    "undelivered": Notification.State.UNDELIVERED,
    "failed": Notification.State.UNDELIVERED,
}


def delivery_report(*, message_sid: str, status: str, error_code: str = "") -> bool:
    """Twilio's status callback: the text was delivered, or could not be."""
    state = TWILIO_STATES.get(status)
    if state is None:
        return False  # queued, sending, sent: nothing new for the desk
    fields = {"state": state}
    if state == Notification.State.DELIVERED:
        fields["delivered_at"] = timezone.now()
    else:
        fields["error"] = f"Twilio reports {status}" + (
            f" (error {error_code})" if error_code else ""
        )
    return bool(Notification.objects.filter(provider_id=message_sid).update(**fields))
