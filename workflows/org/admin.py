from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflows.org.models import (
    CalendarOverride,
    CalendarYear,
    CommunityEnterprise,
    OpeningHours,
    OrgUnit,
    RoleMembership,
    Room,
    User,
)
from workflows.org.signals import roles_changed
from workflows.org.views import AdminLoginForm

# One door for passwords: the admin's login form counts failures like the page and the API.
admin.site.login_form = AdminLoginForm


class MembershipInline(admin.TabularInline):
    model = RoleMembership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Gongying"), {"fields": ("display_name", "phone", "email_notifications")}),)
    list_display = ("username", "display_name", "is_active", "is_staff")
    search_fields = ("username", "display_name", "phone")
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_id = form.instance.id
        transaction.on_commit(lambda: roles_changed.send(sender=RoleMembership, user_id=user_id))


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "parent", "public_space_m2")
    list_filter = ("kind",)


@admin.register(CommunityEnterprise)
class CommunityEnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "established_on")


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "kind", "area_m2", "for_lease")
    list_filter = ("community", "kind", "for_lease")
    inlines = [OpeningHoursInline]


@admin.register(RoleMembership)
class RoleMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org_unit")
    list_filter = ("role", "org_unit")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: roles_changed.send(sender=RoleMembership, user_id=obj.user_id))

    def delete_model(self, request, obj):
        user_id = obj.user_id
        super().delete_model(request, obj)
        transaction.on_commit(lambda: roles_changed.send(sender=RoleMembership, user_id=user_id))


class ProvisionalYearWarningMixin:
    """Warns on the calendar pages while this or next year's schedule is only provisional.

    Those are the years new deadlines fall in; the warning is where the admin goes to fix it.
    """

    def changelist_view(self, request, extra_context=None):
        from workflows.org.calendar import provisional_year_warnings

        for text in provisional_year_warnings():
            messages.warning(request, text)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ProvisionalYearWarningMixin, admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(ProvisionalYearWarningMixin, admin.ModelAdmin):
    list_display = ("year", "official_entered", "official_entered_at", "entered_by", "note")
    readonly_fields = ("official_entered_at", "entered_by")

    def save_model(self, request, obj, form, change):
        # Who vouched for the schedule, and when, is recorded by the page rather than typed in.
        if obj.official_entered and obj.official_entered_at is None:
            obj.official_entered_at = timezone.now()
            obj.entered_by = request.user
        elif not obj.official_entered:
            obj.official_entered_at = None
            obj.entered_by = None
        super().save_model(request, obj, form, change)
