"""Admin: the authority table is edited here, and every save makes a new version."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from workflows.expenses import services
from workflows.expenses.models import AuthorityPolicy, AuthorityRule, ExpenseRequest


class AuthorityRuleInline(admin.TabularInline):
    model = AuthorityRule
    fields = ["position", "category", "amount_above", "amount_upto", "steps", "condition"]
    extra = 0
    min_num = 1
    validate_min = True  # row errors show inline (AuthorityRule.clean validates steps and condition)


@admin.register(AuthorityPolicy)
class AuthorityPolicyAdmin(admin.ModelAdmin):
    list_display = ["street", "version", "effective_from", "note", "created_by", "created_at"]
    list_filter = ["street"]
    fields = ["street", "effective_from", "note"]
    readonly_fields = ["version"]
    inlines = [AuthorityRuleInline]

    def has_delete_permission(self, request, obj=None):
        return False  # requests point at their version

    def save_model(self, request, obj, form, change):
        pass  # the version is written in save_related, through the service, from the rows

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"added": {}}]  # every save adds a version; the inline rows are never saved as edits

    def save_related(self, request, form, formsets, change):
        rows = []
        for formset in formsets:
            for row_form in formset.forms:
                data = getattr(row_form, "cleaned_data", None)
                if not data or data.get("DELETE"):
                    continue
                rows.append({
                    "category": data.get("category") or "",
                    "amount_above": data.get("amount_above") or 0,
                    "amount_upto": data.get("amount_upto"),
                    "steps": data.get("steps"),
                    "condition": data.get("condition"),
                    "_position": data.get("position") or 0,
                })
        rows.sort(key=lambda r: r.pop("_position"))
        try:
            policy = services.policy_create_version(
                actor=request.user, street=form.cleaned_data["street"], effective_from=form.cleaned_data["effective_from"],
                rows=rows, note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            raise
        form.instance.pk = policy.pk
        form.instance.version = policy.version
        messages.info(request, _("Saved as version %(version)s.") % {"version": policy.version})


@admin.register(ExpenseRequest)
class ExpenseRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "community", "amount", "category", "state", "submitter", "created_at"]
    list_filter = ["state", "community", "category"]
    readonly_fields = [f.name for f in ExpenseRequest._meta.fields] + ["cc"]

    def has_add_permission(self, request):
        return False  # filed through the service, which starts the route

    def has_delete_permission(self, request, obj=None):
        return False
