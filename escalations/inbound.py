"""What comes back from Twilio: the owner's texts (each filed as the answer to an
escalation and confirmed with one short text) and the delivery reports of ours."""

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


def inbound_text_record(*, message_sid: str, from_number: str, body: str) -> InboundText:
    """A reply from the owner: filed on the escalation it names (`#K7 ...`), else on the
    one texted last, and confirmed with one short text. Twilio resending the same
    message changes nothing."""
    with transaction.atomic():
        inbound, created = InboundText.objects.get_or_create(
            message_sid=message_sid, defaults={"from_number": from_number, "body": body}
        )
        if not created:
            return inbound
        escalation = _escalation_named(body) or _escalation_texted_last()
        filed = False
        if escalation is None:
            inbound.note = "No open escalation to file it under."
        else:
            answer = body.strip()
            match = _reference_at_start(answer)
            if match and number_for(match) == escalation.pk:
                answer = answer[len(match) :].strip(" :-,.")
            try:
                escalation_answer(
                    escalation=escalation,
                    kind=Escalation.AnswerKind.TEXT,
                    text=answer or body.strip(),
                    via="text",
                    by=the_owner(),  # the owner's number (the webhook checked it)
                )
                inbound.escalation = escalation
                filed = True
            except ValidationError as exc:
                inbound.escalation = escalation
                inbound.note = "; ".join(exc.messages)[:200]
        text = confirmation_for(escalation, filed=filed)
        inbound.confirmation = notification_queue(
            Notification.Channel.SMS, to=from_number, body=text
        )
        inbound.save()
        sweep_soon()
    return inbound


def _reference_at_start(text: str) -> str | None:
    word = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    word = word.rstrip(":,.-")
    if word.startswith("#") or (2 <= len(word) <= 4 and word.isupper()):
        return word
    return None


def _escalation_named(body: str) -> Escalation | None:
    reference = _reference_at_start(body)
    number = number_for(reference) if reference else None
    if number is None:
        return None
    return Escalation.objects.filter(pk=number).exclude(state=Escalation.State.CANCELLED).first()


def _escalation_texted_last() -> Escalation | None:
    item = (
        NotificationItem.objects.filter(
            channel=Notification.Channel.SMS, escalation__state=Escalation.State.OPEN
        )
        .select_related("escalation")
        .order_by("-notification__created_at", "-pk")
        .first()
    )
    return item.escalation if item else None


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
