from django.contrib import admin

from buyers.models import Conversation, ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "purpose", "language", "order", "removed_at")
    list_filter = ("purpose", "language", ("removed_at", admin.EmptyFieldListFilter))
    list_editable = ("order",)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("buyer_name", "order_id", "marketplace", "state", "due_at")
    list_filter = ("state", "marketplace")
    search_fields = ("buyer_name", "order_id", "relay_address")
    readonly_fields = [f.name for f in Conversation._meta.fields]

    def has_add_permission(self, request):
        return False
