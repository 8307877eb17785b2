import re

from django import forms

from buyers.models import ReplyTemplate
from buyers.parsing import reply_problems

_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")


class BuyerReplyForm(forms.Form):
    ACTIONS = [("send", "Send to the buyer"), ("send_next", "Send and open the next buyer"),
               ("ask_owner", "Ask the owner"),
               ("approval", "Send to the owner for approval")]  # fmt: skip
    action = forms.ChoiceField(choices=ACTIONS)
    body = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 10})
    )
    attachment = forms.FileField(required=False)
    owner_words = forms.BooleanField(
        required=False, label="Send the owner's words as they are (I checked they suit the buyer)"
    )

    def clean(self):
        data = super().clean()
        writes = data.get("action") in ("send", "send_next", "approval")
        if writes and not (data.get("body") or "").strip():
            raise forms.ValidationError("Write the reply first.")
        upload = data.get("attachment")
        if upload and upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 1048576:.1f} MB; Amazon takes at most 10 MB."
            )
        return data


class QueueSearchForm(forms.Form):
    q = forms.CharField(label="Search buyers", required=False, max_length=200)


class NoResponseForm(forms.Form):
    why = forms.CharField(label="Why no response is needed", max_length=255)


class SavedReplyForm(forms.ModelForm):
    """A saved reply as the assistant writes it: checked as a reply to a buyer would be
    (Amazon refuses links and addresses), its placeholders among those the desk fills."""

    class Meta:
        model = ReplyTemplate
        fields = ["name", "purpose", "language", "body"]
        labels = {"purpose": "Used for", "body": "The reply"}
        help_texts = {
            "language": "A language code such as en, de, ja; empty: offered to every buyer.",
            "body": "{buyer_name}, {order_id} and {assistant_name} are filled in for each "
            "buyer; the greeting and sign-off in the buyer's language are put around it.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def clean_language(self):
        language = self.cleaned_data["language"].strip().lower()
        if language and not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", language):
            raise forms.ValidationError("Write a language code such as en, de or pt-br.")
        return language

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        unknown = sorted(
            {name for name in _PLACEHOLDER.findall(body)} - set(ReplyTemplate.PLACEHOLDERS)
        )
        if unknown:
            known = ", ".join("{" + name + "}" for name in ReplyTemplate.PLACEHOLDERS)
            raise forms.ValidationError(
                f"{', '.join('{' + n + '}' for n in unknown)} is not filled in by the desk: "
                f"use {known}."
            )
        if "{" in _PLACEHOLDER.sub("", body) or "}" in _PLACEHOLDER.sub("", body):
            raise forms.ValidationError(
                "A brace is left open or unmatched: write placeholders whole, like {order_id}."
            )
        problems = reply_problems(body)
        if problems:
            raise forms.ValidationError(problems)
        return body
