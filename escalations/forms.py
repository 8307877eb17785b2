from django import forms

from escalations.models import Escalation


class OwnerAnswerForm(forms.Form):
    """What the owner does with an item: answer, approve the draft (as is or edited), or
    dismiss it."""

    ACTIONS = [
        ("answer", "Send answer"),
        ("approve", "Approve as is"),
        ("edit", "Approve my edit"),
        ("dismiss", "Dismiss"),
    ]
    KINDS = {
        "answer": Escalation.AnswerKind.TEXT,
        "approve": Escalation.AnswerKind.APPROVED,
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


class MailReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply", max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
