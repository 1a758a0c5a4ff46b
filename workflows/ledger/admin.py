from django.contrib import admin

from workflows.ledger.models import LedgerLine


@admin.register(LedgerLine)
class LedgerLineAdmin(admin.ModelAdmin):
    """Read-only: posted lines never change; corrections are reversals posted by the secretary."""

    list_display = ("id", "community", "line", "source", "category", "amount", "date", "counterparty", "reverses")
    list_filter = ("line", "community", "source", "category", "is_opening_balance")
    search_fields = ("counterparty", "note", "voucher_number")
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
