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
from escalations.summaries import Draft, mail_draft
from sellerdesk.bulkinsert import insert_rows


def _first_step_at(notify_owner: bool, now: datetime, urgency: str) -> datetime | None:
    if not notify_owner:
        return None
    if urgency == Escalation.Urgency.URGENT:
        return now  # urgent is texted at once, whatever the policy's first delay
    return now + timedelta(minutes=EscalationPolicy.current().first_text_minutes)


def _urgency(urgency: str) -> str:
    if urgency not in Escalation.Urgency.values:
        raise ValidationError(f"Unknown urgency {urgency!r}.")
    return urgency


def escalation_open(
    *,
    about: str,
    summary: str,
    details: str = "",
    draft: str = "",
    mail=None,
    conversation=None,
    notify_owner: bool = True,
    urgency: str = Escalation.Urgency.NORMAL,
    cause: str = "",
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
        urgency=_urgency(urgency),
        cause=cause,
        opened_by=by,
        created_at=now,
        next_step_at=_first_step_at(notify_owner, now, urgency),
    )
    if notify_owner:
        sweep_soon()
    return escalation


OPENED_FOR_MAIL = [
    "about", "summary", "details", "mail", "notify_owner", "urgency", "opened_by", "created_at",
    "next_step_at",
]  # fmt: skip


def escalations_open_for_mail(
    *, mails, notify_owner: bool, urgency: str = Escalation.Urgency.NORMAL, by_id=None,
    drafts: dict[int, Draft] | None = None,
) -> list[Escalation]:  # fmt: skip
    """Open one escalation per mail that has no open one yet (in one go, for a batch).
    `drafts`: the summary and details of some of the mails by id, drafted already
    (`mail_draft`: the sync drafts them as it reads the mail); the rest are drafted here."""
    mails = list(mails)
    drafts = drafts or {}
    now = timezone.now()
    first_step = _first_step_at(notify_owner, now, _urgency(urgency))  # one policy read
    with transaction.atomic():
        already = set(
            Escalation.objects.filter(mail__in=mails, state=Escalation.State.OPEN).values_list(
                "mail_id", flat=True
            )
        )
        created = []
        for mail in mails:
            if mail.pk in already:
                continue
            summary, details = drafts.get(mail.pk) or mail_draft(mail)
            escalation = Escalation(
                about=Escalation.About.MAIL, summary=summary, details=details, mail=mail,
                notify_owner=notify_owner, urgency=urgency, opened_by_id=by_id,
                created_at=now, next_step_at=first_step,
            )  # fmt: skip
            created.append(escalation)
        # Thousands at once on a first sync: rows of values, not each instance compiled.
        attnames = [Escalation._meta.get_field(name).attname for name in OPENED_FOR_MAIL]
        ids = insert_rows(
            Escalation, OPENED_FOR_MAIL, [tuple(getattr(e, a) for a in attnames) for e in created]
        )
        for escalation, pk in zip(created, ids, strict=True):
            escalation.pk = escalation.id = pk
            escalation._state.adding = False
        if created and notify_owner:
            sweep_soon()
    return created


def escalation_edit(
    *,
    escalation: Escalation,
    summary: str,
    details: str | None = None,
    urgency: str | None = None,
) -> None:
    """The assistant's summary (and urgency) for the owner, before it is texted."""
    summary = owner_safe(" ".join(summary.split()))
    if not summary:
        raise ValidationError("The summary cannot be empty.")
    fields = {"summary": summary[:300]}
    if details is not None:
        fields["details"] = owner_safe(details)
    if urgency is not None:
        fields["urgency"] = _urgency(urgency)
        if urgency == Escalation.Urgency.URGENT:
            Escalation.objects.filter(
                pk=escalation.pk, step=Escalation.Step.NONE, next_step_at__gt=timezone.now()
            ).update(next_step_at=timezone.now())
            sweep_soon()
    Escalation.objects.filter(pk=escalation.pk).update(**fields)


def escalation_answer(
    *, escalation: Escalation, kind: str, text: str = "", via: str, by=None
) -> Escalation:
    """The owner's answer: free text, the draft approved (what is in the box: the draft or
    the owner's edit of it), or dismissed. The escalation is claimed by a conditional UPDATE
    (open -> answered) before anything else happens: a second post of the same answer, a
    replayed link, a double tap, claims nothing and sends nothing."""
    text = text.strip()
    if kind not in Escalation.AnswerKind.values:
        raise ValidationError(f"Unknown answer {kind!r}.")
    if kind == Escalation.AnswerKind.TEXT and not text:
        raise ValidationError("Write an answer first.")
    if len(text) > 5000:
        raise ValidationError("The answer is longer than 5,000 characters.")
    with transaction.atomic():
        current = Escalation.objects.get(pk=escalation.pk)
        if kind in (Escalation.AnswerKind.APPROVED, Escalation.AnswerKind.EDITED):
            if not current.draft:
                raise ValidationError("There is no draft to approve.")
            text = text or current.draft
            same = " ".join(text.split()) == " ".join(current.draft.split())
            kind = Escalation.AnswerKind.APPROVED if same else Escalation.AnswerKind.EDITED
        claimed = Escalation.objects.filter(pk=current.pk, state=Escalation.State.OPEN).update(
            answer=text,
            answer_kind=kind,
            state=Escalation.State.ANSWERED,
            answered_at=timezone.now(),
            answered_via=via,
            answered_by=by,
            next_step_at=None,
        )
        if not claimed:
            raise ValidationError(
                f"#{current.reference} was answered already; nothing more was sent."
                if current.state == Escalation.State.ANSWERED
                else f"#{current.reference} is already closed."
            )
        current.refresh_from_db()
        handoff.answered(escalation=current)
    return current


def escalation_close(*, escalation: Escalation, by, cancel: bool = False, reason: str = "") -> None:
    state = Escalation.State.CANCELLED if cancel else Escalation.State.RESOLVED
    Escalation.objects.filter(pk=escalation.pk).exclude(state=state).update(
        state=state,
        resolved_at=timezone.now(),
        resolved_by=by,
        next_step_at=None,
        resolved_reason=reason[:200] or ("Cancelled by hand" if cancel else "Resolved by hand"),
    )


def escalation_withdraw(*, escalation: Escalation, by) -> bool:
    """Take back what waits for the owner (a draft): only while it is open, claimed by a
    conditional UPDATE. False when the owner answered first."""
    return bool(
        Escalation.objects.filter(pk=escalation.pk, state=Escalation.State.OPEN).update(
            state=Escalation.State.CANCELLED,
            resolved_at=timezone.now(),
            resolved_by=by,
            next_step_at=None,
            resolved_reason="Withdrawn by the assistant before the owner answered.",
        )
    )


def escalations_resolve(*, escalations, reason: str, by=None) -> int:
    """Close what is still open or answered in `escalations` (a queryset) because its cause
    ended; says why. Resolved ones are never chased again and leave the owner's page."""
    return escalations.filter(state__in=[Escalation.State.OPEN, Escalation.State.ANSWERED]).update(
        state=Escalation.State.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=by,
        next_step_at=None,
        resolved_reason=reason[:200],
    )
