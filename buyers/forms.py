from django import forms


class BuyerReplyForm(forms.Form):
    ACTIONS = [("send", "Send to the buyer"), ("ask_owner", "Ask the owner"),
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
