from django import forms

from escalations.models import Escalation


class OwnerAnswerForm(forms.Form):
    """What the owner does with an item: answer, approve the draft (what is in the box: as
    written or as the owner edited it), or dismiss it."""

    ACTIONS = [
        ("answer", "Send answer"),
        ("approve", "Approve and send"),
        ("edit", "Approve my edit"),  # pages from before one approve button
        ("dismiss", "Dismiss"),
    ]
    KINDS = {
        "answer": Escalation.AnswerKind.TEXT,
        "approve": Escalation.AnswerKind.EDITED,  # the service tells an edit from the draft
        "edit": Escalation.AnswerKind.EDITED,
        "dismiss": Escalation.AnswerKind.DISMISSED,
    }
    action = forms.ChoiceField(choices=ACTIONS)
    text = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("action") in ("answer", "edit") and not (data.get("text") or "").strip():
            raise forms.ValidationError("Write your answer first.")
        return data

    @property
    def kind(self) -> str:
        return self.KINDS[self.cleaned_data["action"]]


class EscalationEditForm(forms.Form):
    summary = forms.CharField(max_length=300, help_text="One or two sentences for the owner.")
    urgency = forms.ChoiceField(choices=Escalation.Urgency.choices, required=False)


class NoteForm(forms.Form):
    """Something the assistant wants the owner to know or decide."""

    summary = forms.CharField(max_length=300, help_text="One or two sentences for the owner.")
    details = forms.CharField(
        required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    draft = forms.CharField(
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A reply for the owner to approve, if there is one.",
    )


class EscalationListForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            ("waiting", "Waiting on the owner"),
            ("answered", "Answered"),
            ("closed", "Closed"),
            ("all", "All"),
        ],
        required=False,
    )
    q = forms.CharField(label="Search", required=False, max_length=200)


class MailReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply", max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
