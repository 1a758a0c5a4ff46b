"""Users and roles (administrators only).

Export: one row per role held (a user without a role gets one row with the role empty).
Import: creates users; a username repeated on later rows adds further roles to that new user.
Existing usernames are refused (an import never edits people). The file holds no passwords:
imported users get an unusable password and set their own through a password reset.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project.lib.xlsx import Column
from spreadsheets.kinds.common import choice_lookup, header_block, yes_no
from spreadsheets.permissions import can_use_admin_sheets
from spreadsheets.registry import Exporter, Importer, register_exporter, register_importer
from workflows.org import services as org_services
from workflows.org.models import OrgUnit, RoleMembership, User
from workflows.org.roles import Role


def user_columns(*, with_choices: bool = False) -> list[Column]:
    units = [u.name for u in OrgUnit.objects.order_by("kind", "id")] if with_choices else []
    return [
        Column("username", gettext_lazy("Username"), required=True),
        Column("display_name", gettext_lazy("Display name")),
        Column("phone", gettext_lazy("Mobile phone")),
        Column("email", gettext_lazy("E-mail")),
        Column("role", gettext_lazy("Role"), choices=[str(label) for _c, label in Role.choices] if with_choices else ()),
        Column("org_unit", gettext_lazy("Org unit"), choices=units),
        Column("is_active", gettext_lazy("Active")),
    ]


@register_exporter
class UserExporter(Exporter):
    kind = "users"
    title = gettext_lazy("Users and roles")

    def allowed(self, user):
        return can_use_admin_sheets(user)

    def _users(self):
        memberships = RoleMembership.objects.select_related("org_unit").order_by("org_unit__kind", "org_unit_id", "role")
        return User.objects.order_by("username").prefetch_related(Prefetch("memberships", queryset=memberships))

    def count(self, *, user, params):
        return RoleMembership.objects.count() + User.objects.filter(memberships__isnull=True).count()

    def filename(self, *, params):
        return f"users-{timezone.localdate():%Y%m%d}.xlsx"

    def write(self, book, *, user, params, progress):
        def rows():
            for person in self._users().iterator(chunk_size=1000):
                base = [person.username, person.display_name, person.phone, person.email]
                memberships = list(person.memberships.all()) or [None]
                for m in memberships:
                    yield [
                        *base,
                        m.get_role_display() if m else None,
                        m.org_unit.name if m else None,
                        yes_no(person.is_active),
                    ]

        book.table(
            _("Users and roles"),
            user_columns(),
            rows(),
            header_block=header_block(user=user, community=_("All communities")),
            progress=progress,
        )


@register_importer
class UserImporter(Importer):
    kind = "users"
    title = gettext_lazy("Users and roles")
    example = {
        "username": "example_staff",
        "display_name": "示例：王小明",
        "phone": "13800000000",
        "email": "",
        "role": Role.COMMUNITY_STAFF.label,
        "org_unit": "凤凰社区",
        "is_active": "是",
    }

    def allowed(self, user):
        return can_use_admin_sheets(user)

    def columns(self, *, user, params):
        return user_columns(with_choices=True)

    def import_row(self, *, actor, row, state, params):
        if "roles" not in state:
            state["roles"] = choice_lookup(Role)
            state["units"] = {}
            for unit in OrgUnit.objects.all():
                state["units"][unit.name] = unit
                state["units"][unit.code.lower()] = unit
            state["created"] = {}
        v = {k: ("" if value is None else str(value).strip()) for k, value in row.values.items()}
        errors: dict[str, list[str]] = {}
        role = unit = None
        if v["role"] or v["org_unit"]:
            role = state["roles"].get(v["role"].lower())
            if role is None:
                errors["role"] = [_("Unknown role “%(value)s”.") % {"value": v["role"]}]
            unit = state["units"].get(v["org_unit"]) or state["units"].get(v["org_unit"].lower())
            if unit is None:
                errors["org_unit"] = [_("Unknown org unit “%(value)s”.") % {"value": v["org_unit"]}]
        if v["is_active"] and v["is_active"] not in ("是", _("Yes")):
            errors["is_active"] = [_("Imported users are always active; leave this empty or enter 是.")]
        if role and unit:
            try:
                org_services.validate_role_for_unit(role, unit)
            except ValidationError as exc:
                errors.setdefault("role", []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        person = state["created"].get(v["username"])
        if person is None:
            person = org_services.user_create(
                actor=actor, username=v["username"], display_name=v["display_name"], phone=v["phone"], email=v["email"]
            )
            state["created"][person.username] = person
        if role and unit:
            org_services.membership_grant(actor=actor, user=person, role=role, org_unit=unit)
