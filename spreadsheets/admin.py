from django.contrib import admin

from spreadsheets.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs change only through the worker and the services."""

    list_display = ["id", "owner", "operation", "kind", "state", "progress", "created_at", "finished_at"]
    list_filter = ["operation", "kind", "state"]
    search_fields = ["owner__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
