from django.contrib import admin

from dashboard.models import AmazonSnapshot


@admin.register(AmazonSnapshot)
class AmazonSnapshotAdmin(admin.ModelAdmin):
    list_display = ("account", "marketplace", "taken_at", "unshipped", "late", "performance")
    list_filter = ("marketplace", "performance")
    readonly_fields = [f.name for f in AmazonSnapshot._meta.fields]

    def has_add_permission(self, request):
        return False
