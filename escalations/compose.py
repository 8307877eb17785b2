"""What the owner is sent: the texts, the chase's email and chat post, and the confirmation
of a text the owner sent back. The words are templates (templates/escalations/owner/);
`gsm.compose` fits a text into one SMS segment around them."""

from django.template.loader import render_to_string
from django.utils import timezone

from escalations import gsm
from escalations.links import digest_key, owner_link
from escalations.models import Escalation
from sellerdesk.selectors import assistant_on_duty

REMINDER = Escalation.Step.RETEXTED


def _render(name: str, **context) -> str:
    return render_to_string(f"escalations/owner/{name}", context).strip()


def signature_initials(escalation: Escalation | None = None) -> str:
    """The assistant who signs: whoever opened it, else the assistant last signed in."""
    if escalation is not None and escalation.opened_by_id and escalation.opened_by.initials:
        return escalation.opened_by.initials
    assistant = assistant_on_duty()
    return assistant.initials if assistant else "SD"


def text_for(escalations: list[Escalation], step: int) -> str:
    """One text about `escalations` (newest first): about one, with its own link; about
    several (a digest), with the link to all of them."""
    first = escalations[0]
    initials = signature_initials(first if len(escalations) == 1 else None)
    prefix = _render("reminder_prefix.txt") if step == REMINDER else ""
    if len(escalations) == 1:
        return gsm.compose(
            summary=first.summary,
            reference=first.reference,
            link=owner_link("e", first.pk),
            initials=initials,
            prefix=prefix,
        )
    refs = [e.reference for e in escalations]
    reference = " #".join(refs)
    if len(reference) > 30:
        reference = f"{refs[0]} +{len(refs) - 1}"
    return gsm.compose(
        summary=_render("digest_summary.txt", count=len(escalations), newest=first.summary),
        reference=reference,
        link=owner_link("d", digest_key(first.pk, step)),
        initials=initials,
        prefix=prefix,
    )


def email_for(escalation: Escalation) -> tuple[str, str]:
    """The chase's email: (subject, body)."""
    context = {
        "escalation": escalation,
        "days": max(1, (timezone.now() - escalation.created_at).days),
        "link": owner_link("e", escalation.pk),
        "details": escalation.details[:2000],
        "initials": signature_initials(escalation),
    }
    subject = " ".join(_render("chase_subject.txt", **context).split())[:200]
    return subject, _render("chase_email.txt", **context)


def chat_for(escalation: Escalation) -> str:
    """The chase's chat post."""
    return _render(
        "chase_chat.txt",
        escalation=escalation,
        link=owner_link("e", escalation.pk),
        initials=signature_initials(escalation),
    )


def confirmation_for(escalation: Escalation | None, *, filed: bool) -> str:
    """The one short text that confirms a text the owner sent back, signed, in one segment."""
    reply = _render("confirmation.txt", escalation=escalation, filed=filed)
    initials = signature_initials(escalation)
    return gsm.shorten(gsm.to_gsm(reply), gsm.SEGMENT - len(initials) - 2) + f" -{initials}"
