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


class BuyerReplyForm(forms.Form):
    ACTIONS = [("send", "Send to the buyer"), ("ask_owner", "Ask the owner"),
               ("approval", "Send to the owner for approval")]  # fmt: skip
    action = forms.ChoiceField(choices=ACTIONS)
    body = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 10})
    )
    attachment = forms.FileField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("send", "approval") and not (data.get("body") or "").strip():
            raise forms.ValidationError("Write the reply first.")
        upload = data.get("attachment")
        if upload and upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 1048576:.1f} MB; Amazon takes at most 10 MB."
            )
        return data


class NoResponseForm(forms.Form):
    why = forms.CharField(label="Why no response is needed", max_length=255)
