"""Writes on escalations. Other apps open escalations only through these functions."""

from django.db import transaction

from escalations.models import Escalation


def escalations_open_for_mail(*, mails, notify_owner: bool, by_id=None) -> list[Escalation]:
    """Open one escalation per mail that has no open one yet (in one go, for a batch)."""
    from escalations.summaries import summarize_mail

    mails = list(mails)
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
                details=mail.content.text[:5000],
                mail=mail,
                notify_owner=notify_owner,
                opened_by_id=by_id,
            )
            for mail in mails
            if mail.pk not in already
        )
    return created
