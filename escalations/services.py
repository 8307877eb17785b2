"""Writes on escalations: opening, editing, answering and closing them. Other apps open
escalations only through these functions.

The rest of the owner's side, by job: `chase` (what is due: a text now, another after two
days without an answer, then email and chat), `compose` (what those say, from templates),
`delivery` (the outbox: each row sent once), `inbound` (the owner's texts back and Twilio's
delivery reports). Where an answer goes next is `handoff`.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from escalations import handoff
from escalations.delivery import sweep_soon
from escalations.models import Escalation, EscalationPolicy
from escalations.scrub import owner_safe
from escalations.summaries import summarize_mail


def _first_step_at(notify_owner: bool, now: datetime) -> datetime | None:
    if not notify_owner:
        return None
    return now + timedelta(minutes=EscalationPolicy.current().first_text_minutes)


def escalation_open(
    *,
    about: str,
    summary: str,
    details: str = "",
    draft: str = "",
    mail=None,
    conversation=None,
    notify_owner: bool = True,
    by=None,
) -> Escalation:
    summary, details = owner_safe(" ".join(summary.split())), owner_safe(details)
    if not summary:
        raise ValidationError("An escalation needs a summary for the owner.")
    if about not in Escalation.About.values:
        raise ValidationError(f"Unknown kind of escalation {about!r}.")
    now = timezone.now()
    escalation = Escalation.objects.create(
        about=about,
        summary=summary[:300],
        details=details,
        draft=draft,
        mail=mail,
        conversation=conversation,
        notify_owner=notify_owner,
        opened_by=by,
        created_at=now,
        next_step_at=_first_step_at(notify_owner, now),
    )
    if notify_owner:
        sweep_soon()
    return escalation


def escalations_open_for_mail(*, mails, notify_owner: bool, by_id=None) -> list[Escalation]:
    """Open one escalation per mail that has no open one yet (in one go, for a batch)."""
    mails = list(mails)
    now = timezone.now()
    first_step = _first_step_at(notify_owner, now)  # one policy read for the whole batch
    with transaction.atomic():
        already = set(
            Escalation.objects.filter(mail__in=mails, state=Escalation.State.OPEN).values_list(
                "mail_id", flat=True
            )
        )
        created = Escalation.objects.bulk_create(
            Escalation(
                about=Escalation.About.MAIL,
                summary=summarize_mail(mail),
                details=owner_safe(mail.content.text)[:5000],
                mail=mail,
                notify_owner=notify_owner,
                opened_by_id=by_id,
                created_at=now,
                next_step_at=first_step,
            )
            for mail in mails
            if mail.pk not in already
        )
        if created and notify_owner:
            sweep_soon()
    return created


def escalation_edit(*, escalation: Escalation, summary: str, details: str | None = None) -> None:
    summary = owner_safe(" ".join(summary.split()))
    if not summary:
        raise ValidationError("The summary cannot be empty.")
    fields = {"summary": summary[:300]}
    if details is not None:
        fields["details"] = owner_safe(details)
    Escalation.objects.filter(pk=escalation.pk).update(**fields)


def escalation_answer(
    *, escalation: Escalation, kind: str, text: str = "", via: str, by=None
) -> Escalation:
    """The owner's answer: free text, the draft approved (as is or edited), or dismissed.
    Nothing more is sent about it afterwards."""
    text = text.strip()
    if kind not in Escalation.AnswerKind.values:
        raise ValidationError(f"Unknown answer {kind!r}.")
    if kind in (Escalation.AnswerKind.TEXT, Escalation.AnswerKind.EDITED) and not text:
        raise ValidationError("Write an answer first.")
    if len(text) > 5000:
        raise ValidationError("The answer is longer than 5,000 characters.")
    with transaction.atomic():
        current = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if current.state in (Escalation.State.RESOLVED, Escalation.State.CANCELLED):
            raise ValidationError("This is already closed.")
        if kind == Escalation.AnswerKind.APPROVED:
            if not current.draft:
                raise ValidationError("There is no draft to approve.")
            text = current.draft
        current.answer, current.answer_kind = text, kind
        current.state = Escalation.State.ANSWERED
        current.answered_at, current.answered_via = timezone.now(), via
        current.next_step_at = None
        current.save(
            update_fields=[
                "answer",
                "answer_kind",
                "state",
                "answered_at",
                "answered_via",
                "next_step_at",
            ]
        )
        handoff.answered(escalation=current)
    return current


def escalation_close(*, escalation: Escalation, by, cancel: bool = False) -> None:
    state = Escalation.State.CANCELLED if cancel else Escalation.State.RESOLVED
    Escalation.objects.filter(pk=escalation.pk).exclude(state=state).update(
        state=state, resolved_at=timezone.now(), resolved_by=by, next_step_at=None
    )
