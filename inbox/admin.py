from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from inbox.classify import rule_from_model
from inbox.connection import test_connection
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
from inbox.presets import oauth_host_problem, preset_for
from inbox.rules import RuleError, RuleSet
from sellerdesk import oauth


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
        help_text="Stored encrypted. Leave empty to keep the current password; not needed for "
        "a mailbox that signs in with Microsoft or Google.",
    )

    class Meta:
        model = Mailbox
        fields = (
            "name", "username", "oauth_provider", "host", "port", "use_ssl", "password",
            "spam_folder", "trash_folder", "is_active", "text_owner_about_history",
        )  # fmt: skip
        labels = {"username": "Address (user name)"}
        help_texts = {
            "host": "Leave empty for Gmail, Outlook.com / Microsoft 365, Yahoo, iCloud, Zoho "
            "and Fastmail: the desk fills it in from the address.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].required = False
        self.fields["port"].required = False

    def clean(self):
        data = super().clean()
        preset = preset_for(
            data.get("username", ""),
            provider=data.get("oauth_provider", ""),
            host=data.get("host") or "",
        )
        if not data.get("host"):
            if preset is None:
                self.add_error(
                    "host",
                    "The desk knows no settings for this address: fill in the host (for a "
                    "Microsoft 365 or Google Workspace mailbox on the shop's own domain, "
                    "choose Microsoft or Google under 'signs in with').",
                )
            else:
                data["host"], data["port"] = preset.imap_host, preset.imap_port
                data["use_ssl"] = preset.use_ssl
        if not data.get("port"):
            data["port"] = 993 if data.get("use_ssl") else 143
        provider = data.get("oauth_provider")
        if provider and data.get("host"):
            problem = oauth_host_problem(provider, data["host"], bool(data.get("use_ssl")))
            if problem:
                self.add_error("host", problem)
        if provider:
            # Kept until the grant is stored (the mailbox still works if the sign-in at the
            # provider is abandoned); connecting clears it.
            data["password"] = self.instance.password if self.instance.pk else ""
        elif not data.get("password"):
            if self.instance.pk and self.instance.password:
                data["password"] = self.instance.password
            elif preset and preset.sign_in in ("microsoft", "google"):
                self.add_error(
                    "oauth_provider", f"{preset.advice} Choose {preset.sign_in.title()} here."
                )
            else:
                self.add_error("password", "A mailbox that signs in with a password needs it.")
        return data


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = (
        "name", "username", "host", "oauth_provider", "is_active", "last_sync_at", "last_error",
    )  # fmt: skip
    readonly_fields = (
        "provider_advice", "history_imported_at", "last_sync_at", "last_error", "last_error_at",
    )  # fmt: skip
    change_form_template = "admin/inbox/mailbox/change_form.html"

    @admin.display(description="what the desk knows")
    def provider_advice(self, mailbox):
        preset = preset_for(mailbox.username, provider=mailbox.oauth_provider, host=mailbox.host)
        if preset is None:
            return "A mailbox at another provider: host, port and password as it gives them."
        return (
            f"{preset.name}. {preset.advice} Folders: Spam is {preset.spam}, Trash is "
            f"{preset.trash} (found by their flags). To send the replies through this mailbox: "
            f"EMAIL_URL={preset.email_url_example.replace('ADDRESS', _quoted(mailbox.username))}"
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/connect/<str:provider>/",
                self.admin_site.admin_view(self.connect_view),
                name="inbox_mailbox_connect",
            ),
            path(
                "<int:pk>/test/",
                self.admin_site.admin_view(self.test_view),
                name="inbox_mailbox_test",
            ),
        ]
        return own + super().get_urls()

    def connect_view(self, request, pk, provider):
        """Connect with Microsoft / Google: off to the provider's sign-in, back through
        /oauth/callback/ to this mailbox's page."""
        mailbox = get_object_or_404(Mailbox, pk=pk)
        if not self.has_change_permission(request, mailbox):
            raise PermissionDenied
        back = reverse("admin:inbox_mailbox_change", args=[mailbox.pk])
        if mailbox.oauth_provider and mailbox.oauth_provider != provider:
            messages.error(
                request,
                f"This mailbox signs in with {oauth.label(mailbox.oauth_provider)}: change "
                "'signs in with' and save first.",
            )
            return redirect(back)
        try:
            url = oauth.start(provider_name=provider, account=mailbox.username, return_to=back)
        except oauth.OAuthProblem as exc:
            messages.error(request, str(exc))
            return redirect(back)
        return redirect(url)

    def test_view(self, request, pk):
        mailbox = get_object_or_404(Mailbox, pk=pk)
        if not self.has_view_permission(request, mailbox):
            raise PermissionDenied
        report = test_connection(mailbox)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": mailbox,
            "title": f"Test connection: {mailbox.name}",
            "report": report,
        }
        return TemplateResponse(request, "admin/inbox/mailbox/test_connection.html", context)


def _quoted(address: str) -> str:
    return address.replace("@", "%40")


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
