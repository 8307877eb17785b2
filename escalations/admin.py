from django.contrib import admin

from escalations.models import (
    Escalation,
    EscalationPolicy,
    InboundText,
    Notification,
    NotificationItem,
)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "first_text_minutes",
        "retext_hours",
        "other_channels_hours",
        "quiet_from",
        "quiet_until",
        "digest_minutes",
    )

    def has_add_permission(self, request):
        return not EscalationPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class NotificationItemInline(admin.TabularInline):
    model = NotificationItem
    extra = 0
    can_delete = False
    readonly_fields = ("notification", "step", "channel")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "about", "state", "step", "next_step_at", "created_at")
    list_filter = ("state", "about", "step")
    search_fields = ("summary", "details", "answer")
    readonly_fields = (
        "mail",
        "opened_by",
        "resolved_by",
        "created_at",
        "answered_at",
        "resolved_at",
    )
    inlines = [NotificationItemInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "channel", "state", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "state")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(InboundText)
class InboundTextAdmin(admin.ModelAdmin):
    list_display = ("__str__", "escalation", "received_at")
    readonly_fields = [f.name for f in InboundText._meta.fields]

    def has_add_permission(self, request):
        return False
