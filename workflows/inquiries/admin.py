from django.contrib import admin

from workflows.inquiries.models import Inquiry


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    """Read-only: every change is a service with its history row."""

    list_display = ("id", "community", "state", "filed_at", "due_at", "published")
    list_filter = ("state", "community")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
