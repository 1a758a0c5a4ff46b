from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from workflows.org.models import (
    CalendarOverride,
    CommunityEnterprise,
    OpeningHours,
    OrgUnit,
    RoleMembership,
    Room,
    User,
)
from workflows.org.signals import roles_changed


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


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    date_hierarchy = "date"
