from django import forms

from inbox.models import MailAction, MailKind
from inbox.selectors import FOLDER_FILTERS


class MailSearchForm(forms.Form):
    folder = forms.ChoiceField(
        choices=[(key, key.title()) for key in FOLDER_FILTERS], required=False, initial="inbox"
    )
    q = forms.CharField(label="Search", required=False, max_length=200)


class MailActionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (MailAction.Kind.TRASH, "Move to Trash"),
            (MailAction.Kind.MARK_READ, "Mark read"),
            (MailAction.Kind.MARK_UNREAD, "Mark unread"),
        ]
    )


class MailKindForm(forms.Form):
    """Re-run the rules (no kind) or choose the mail's kind by hand."""

    kind = forms.ChoiceField(choices=[("", "Re-run the rules"), *MailKind.choices], required=False)
