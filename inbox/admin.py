from django import forms
from django.contrib import admin

from inbox.classify import rule_from_model
from inbox.dryrun import rule_dry_run
from inbox.models import (
    Attachment,
    EmailRule,
    Folder,
    MailAction,
    Mailbox,
    Message,
    RuleCondition,
)
from inbox.rules import RuleError, RuleSet


class RuleConditionInline(admin.StackedInline):
    """Stacked, two lines a condition: every input keeps its label, and the rule's page fits
    1280 px (the tabular inline ran past it)."""

    model = RuleCondition
    fields = (("field", "header", "operator"), ("value", "case_sensitive"))
    extra = 0
    min_num = 1

    def get_formset(self, request, obj=None, **kwargs):
        # A rule without conditions would match every mail: refuse it.
        return super().get_formset(request, obj, validate_min=True, **kwargs)


class DryRunForm(forms.ModelForm):
    """Refuses to save when the dry-run button was pressed: the page comes back with the
    form as typed and what the rule would do."""

    class Meta:
        model = EmailRule
        fields = ("order", "name", "is_active", "folders", "action", "urgency")

    urgency = forms.ChoiceField(
        choices=EmailRule._meta.get_field("urgency").choices,
        required=False,
        help_text="For mail the owner is told about: urgent is texted alone, at once.",
    )

    def clean_urgency(self):
        return self.cleaned_data.get("urgency") or "normal"

    def clean(self):
        cleaned = super().clean()
        if self.data.get("_dryrun"):
            raise forms.ValidationError("Dry run: nothing was saved.")
        return cleaned


@admin.register(EmailRule)
class EmailRuleAdmin(admin.ModelAdmin):
    form = DryRunForm
    inlines = [RuleConditionInline]
    list_display = ("order", "name", "is_active", "folders", "action", "urgency", "updated_at")
    list_display_links = ("name",)
    list_editable = ("order", "is_active")
    list_filter = ("is_active", "action")
    search_fields = ("name", "conditions__value")
    change_form_template = "admin/inbox/emailrule/change_form.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if request.method == "POST" and "_dryrun" in request.POST:
            extra_context["dry_run"] = self._dry_run(request, object_id)
            if "error" not in extra_context["dry_run"]:
                # Refusing to save is how the dry run keeps the form as typed, not an
                # error: the result shows at the top, without the red note.
                extra_context["errors"] = []
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _dry_run(self, request, object_id):
        """The rule as typed in the form (saved or not), tried on the last stored mail."""
        obj = self.get_object(request, object_id) if object_id else None
        matching = [name for name in DryRunForm.Meta.fields if name != "urgency"]
        form = forms.modelform_factory(EmailRule, fields=matching)(request.POST, instance=obj)
        if not form.is_valid():
            return {"error": "Fix the rule's fields first."}
        rule = form.save(commit=False)
        conditions = []
        for formset, _inline in self.get_formsets_with_inlines(request, obj):
            bound = formset(request.POST, instance=rule, prefix=formset.get_default_prefix())
            if not bound.is_valid():
                return {"error": "Fix the conditions first."}
            conditions = [
                RuleCondition(**{k: v for k, v in f.cleaned_data.items() if k in (
                    "field", "header", "operator", "value", "case_sensitive")})
                for f in bound.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]  # fmt: skip
        earlier_rules = EmailRule.objects.filter(is_active=True, order__lt=rule.order)
        if obj is not None:
            earlier_rules = earlier_rules.exclude(pk=obj.pk)
        try:
            candidate = rule_from_model(rule, conditions)
            earlier = RuleSet(
                rule_from_model(r, r.conditions.all())
                for r in earlier_rules.prefetch_related("conditions")
            )
            return {"result": rule_dry_run(rule=candidate, earlier=earlier)}
        except RuleError as exc:
            return {"error": str(exc)}


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="Stored encrypted. Leave empty to keep the current password.",
    )

    class Meta:
        model = Mailbox
        fields = (
            "name", "host", "port", "use_ssl", "username", "password",
            "spam_folder", "trash_folder", "is_active", "text_owner_about_history",
        )  # fmt: skip

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password and self.instance.pk:
            return self.instance.password
        if not password:
            raise forms.ValidationError("A new mailbox needs its password.")
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "username", "host", "is_active", "last_sync_at", "last_error")
    readonly_fields = ("history_imported_at", "last_sync_at", "last_error", "last_error_at")


@admin.register(Folder)
class FolderAdmin(admin.ModelAdmin):
    list_display = ("mailbox", "role", "name", "uidvalidity", "last_uid", "last_synced_at")
    readonly_fields = [f.name for f in Folder._meta.fields]

    def has_add_permission(self, request):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("filename", "content_type", "size", "part")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "from_address", "folder", "kind", "rule_name", "date", "is_seen")
    list_filter = ("folder__role", "kind", "is_seen", "is_history")
    search_fields = ("subject", "from_address", "from_name", "message_id")
    readonly_fields = [*(f.name for f in Message._meta.fields), "text"]
    inlines = [AttachmentInline]
    list_select_related = ("folder",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("content").defer("content__raw")

    @admin.display(description="text")
    def text(self, message):
        return message.content.text

    def has_add_permission(self, request):
        return False


@admin.register(MailAction)
class MailActionAdmin(admin.ModelAdmin):
    list_display = ("message", "kind", "state", "requested_by", "requested_at", "attempts")
    list_filter = ("kind", "state")
    readonly_fields = [f.name for f in MailAction._meta.fields]
    list_select_related = ("message", "requested_by")

    def has_add_permission(self, request):
        return False
