from django import forms
from django.contrib import admin

from inbox.models import Attachment, Folder, MailAction, Mailbox, Message


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
    list_display = ("subject", "from_address", "folder", "date", "is_seen", "removed_at")
    list_filter = ("folder__role", "is_seen", "is_history")
    search_fields = ("subject", "from_address", "from_name", "message_id")
    exclude = ("raw", "html", "headers")
    readonly_fields = [
        f.name for f in Message._meta.fields if f.name not in ("raw", "html", "headers")
    ]
    inlines = [AttachmentInline]
    list_select_related = ("folder",)

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
