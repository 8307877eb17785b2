from django.contrib import admin

from escalations.models import (
    Escalation,
    EscalationPolicy,
    InboundText,
    Notification,
    NotificationItem,
)
from escalations.selectors import with_owner_told


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
    list_display = ("__str__", "about", "state", "owner_told", "next_step_at", "created_at")
    list_filter = ("state", "about", "step")
    search_fields = ("summary", "details", "answer")

    def get_queryset(self, request):
        return with_owner_told(super().get_queryset(request))

    @admin.display(description="owner told", ordering="step")
    def owner_told(self, obj):
        return obj.owner_told

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
    list_display = ("__str__", "channel", "what_became_of_it", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "state", "backend")
    readonly_fields = [f.name for f in Notification._meta.fields] + ["what_became_of_it"]
    # The state in words (a kept text is "Kept", not "Sent"), in place of the raw column.
    fields = [f.name for f in Notification._meta.fields if f.name not in ("id", "state")] + [
        "what_became_of_it"
    ]

    @admin.display(description="state", ordering="state")
    def what_became_of_it(self, obj):
        return obj.state_label

    def has_add_permission(self, request):
        return False


@admin.register(InboundText)
class InboundTextAdmin(admin.ModelAdmin):
    list_display = ("__str__", "escalation", "received_at")
    readonly_fields = [f.name for f in InboundText._meta.fields]

    def has_add_permission(self, request):
        return False
