"""The assistant's saved replies (the templates the composer offers): written, changed,
set aside and put back from the saved replies page. Each change is written to admin's
history of the row (LogEntry), so admin sees who changed what."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone

from buyers.models import ReplyTemplate


def _log(*, template: ReplyTemplate, by, flag: int, words: str) -> None:
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[template], action_flag=flag, change_message=words,
        single_object=True,
    )  # fmt: skip


def saved_reply_save(*, form, by) -> ReplyTemplate:
    """The saved reply of a valid `SavedReplyForm`, new or changed."""
    new = form.instance.pk is None
    with transaction.atomic():
        was = None if new else ReplyTemplate.objects.select_for_update().get(pk=form.instance.pk)
        template = form.save()
        changed = (
            ", ".join(
                name
                for name in form.Meta.fields
                if getattr(was, name, None) != getattr(template, name)
            )
            or "nothing"
        )
        _log(template=template, by=by, flag=ADDITION if new else CHANGE,
             words="Written on the saved replies page." if new
             else f"Changed on the saved replies page: {changed}.")  # fmt: skip
    return template


def saved_reply_remove(*, template: ReplyTemplate, by) -> bool:
    """Set aside (not offered until put back). False when it was set aside already."""
    with transaction.atomic():
        done = ReplyTemplate.objects.filter(pk=template.pk, removed_at__isnull=True).update(
            removed_at=timezone.now()
        )
        if done:
            _log(template=template, by=by, flag=CHANGE,
                 words="Removed on the saved replies page (can be put back there).")  # fmt: skip
    return bool(done)


def saved_reply_restore(*, template: ReplyTemplate, by) -> bool:
    """Offered again. False when it was not set aside."""
    with transaction.atomic():
        done = ReplyTemplate.objects.filter(pk=template.pk, removed_at__isnull=False).update(
            removed_at=None
        )
        if done:
            _log(template=template, by=by, flag=CHANGE,
                 words="Put back on the saved replies page.")  # fmt: skip
    return bool(done)
