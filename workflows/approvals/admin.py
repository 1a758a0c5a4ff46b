from django.contrib import admin

from workflows.approvals.models import HistoryEntry


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    """Read-only: history is append-only."""

    list_display = ["created_at", "process_kind", "process_id", "actor", "action", "step", "state_before", "state_after"]
    list_filter = ["process_kind", "action"]
    search_fields = ["comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
