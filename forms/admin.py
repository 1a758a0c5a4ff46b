"""Django admin: definitions and versions are readable; a version's schema is editable only while
it is a draft, and then only through the same service as the designer."""

import json

from django import forms as djforms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from forms import services
from forms.models import FormDefinition, FormHistory, FormSubmission, FormVersion, VersionImmutable
from forms.states import VersionState


class FormVersionAdminForm(djforms.ModelForm):
    class Meta:
        model = FormVersion
        fields = ["schema", "note"]


@admin.register(FormVersion)
class FormVersionAdmin(admin.ModelAdmin):
    form = FormVersionAdminForm
    list_display = ["definition", "number", "state", "published_at"]
    list_filter = ["state", "definition__purpose"]

    def get_readonly_fields(self, request, obj=None):
        base = ["definition", "number", "state", "created_by", "created_at", "published_at"]
        if obj is not None and obj.state != VersionState.DRAFT:
            return [*base, "schema", "note"]
        return base

    def has_add_permission(self, request):
        return False  # drafts are made by the designer / services, with a number and history

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.state == VersionState.DRAFT and not obj.submissions.exists()

    def save_model(self, request, obj, form, change):
        stored = FormVersion.objects.get(pk=obj.pk)
        if stored.state != VersionState.DRAFT:
            messages.error(request, "A published or retired version cannot be changed.")
            return
        try:
            schema = obj.schema if isinstance(obj.schema, dict) else json.loads(obj.schema)
            services.version_draft_update(actor=request.user, version=stored, schema=schema, note=obj.note)
        except (ValidationError, VersionImmutable, ValueError) as exc:
            messages.error(request, f"Not saved: {exc}")


class FormVersionInline(admin.TabularInline):
    model = FormVersion
    fields = ["number", "state", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "purpose", "owner"]
    list_filter = ["purpose"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "purpose", "owner", "created_at"]
    inlines = [FormVersionInline]

    def has_add_permission(self, request):
        return False


@admin.register(FormSubmission)
class FormSubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "version", "submitted_by", "created_at"]
    readonly_fields = ["version", "data", "submitted_by", "org_unit", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FormHistory)
class FormHistoryAdmin(admin.ModelAdmin):
    list_display = ["at", "definition", "version", "action", "actor"]
    readonly_fields = ["definition", "version", "actor", "action", "state_before", "state_after", "note", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
