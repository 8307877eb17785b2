"""What the owner is sent: the texts, the chase's email and chat post, and the confirmation
of a text the owner sent back. The words are templates (templates/escalations/owner/);
`gsm.compose` fits a text into one SMS segment around them."""

from django.template.loader import render_to_string
from django.utils import timezone

from escalations import gsm
from escalations.links import link_create
from escalations.models import Escalation
from escalations.scrub import owner_safe
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


def most_urgent_first(escalations) -> list[Escalation]:
    """Urgent before normal, then newest first."""
    escalations = sorted(escalations, key=lambda e: (e.created_at, e.pk), reverse=True)
    return sorted(escalations, key=lambda e: e.urgency != Escalation.Urgency.URGENT)


def label_for(escalation: Escalation) -> str:
    """A digest's name for one item: for a mail, its sender and subject; else the summary
    up to its first stop."""
    mail = escalation.mail
    if mail is not None:
        sender = (mail.from_name or mail.from_address.rpartition("@")[2] or "?").strip()
        sender = sender.removesuffix(" - Amazon Marketplace")
        return owner_safe(f"{sender}: {' '.join((mail.subject or '(no subject)').split())}")
    return escalation.summary.split(". ")[0]


def text_for(escalations: list[Escalation], step: int) -> str:
    """One text about `escalations`: about one, its summary and its own link; about several
    (a digest), each named most urgent first, as many as fit, with the link to all."""
    escalations = most_urgent_first(escalations)
    first = escalations[0]
    initials = signature_initials(first if len(escalations) == 1 else None)
    prefix = _render("reminder_prefix.txt") if step == REMINDER else ""
    link = link_create(escalations)
    if len(escalations) == 1:
        return gsm.compose(
            summary=first.summary,
            reference=first.reference,
            link=link,
            initials=initials,
            prefix=prefix,
        )
    refs = [e.reference for e in escalations]
    reference = " #".join(refs)
    if len(reference) > 30:
        reference = f"{refs[0]} +{len(refs) - 1}"
    return gsm.compose_list(
        lead=_render("digest_summary.txt", count=len(escalations)),
        labels=[label_for(e) for e in escalations],
        reference=reference,
        link=link,
        initials=initials,
        prefix=prefix,
    )


def email_for(escalations: list[Escalation]) -> tuple[str, str]:
    """The chase's email about every item due in one sweep: (subject, body)."""
    escalations = most_urgent_first(escalations)
    context = {
        "items": [
            {
                "escalation": e,
                "days": max(1, (timezone.now() - e.created_at).days),
                "link": link_create([e]),
                "details": e.details[:2000],
            }
            for e in escalations
        ],
        "escalation": escalations[0],
        "count": len(escalations),
        "initials": signature_initials(escalations[0] if len(escalations) == 1 else None),
    }
    subject = " ".join(_render("chase_subject.txt", **context).split())[:200]
    return subject, _render("chase_email.txt", **context)


def chat_for(escalations: list[Escalation]) -> str:
    """The chase's chat post about every item due in one sweep."""
    escalations = most_urgent_first(escalations)
    return _render(
        "chase_chat.txt",
        items=[
            {"escalation": e, "summary": slack_text(e.summary), "link": link_create([e])}
            for e in escalations
        ],
        initials=signature_initials(escalations[0] if len(escalations) == 1 else None),
    )


def slack_text(text: str) -> str:
    """`text` as plain words in a Slack message: its control characters escaped, so a
    summary holding `<!channel>` or `<@U024BE7LH>` mentions no one."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def confirmation_for(
    escalation: Escalation | None, *, outcome: str, reference: str | None = None
) -> str:
    """The one short text that confirms a text the owner sent back, signed, in one segment:
    what happened to it (`escalations.inbound.Outcome`), naming the item."""
    reply = _render(
        "confirmation.txt",
        escalation=escalation,
        outcome=outcome,
        reference=(reference or "").lstrip("#").upper(),
        buyer=escalation.conversation.buyer_name if escalation and escalation.conversation else "",
    )
    initials = signature_initials(escalation)
    return gsm.shorten(gsm.sender_words(reply), gsm.SEGMENT - len(initials) - 2) + f" -{initials}"
