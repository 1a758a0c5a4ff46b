"""Rooms: export of the rooms the user may see; import through the org area's `room_create`."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project.lib.xlsx import Column, Kind
from spreadsheets.kinds.common import (
    CommunityLookup,
    choice_lookup,
    community_label,
    community_param,
    header_block,
    parse_yes_no,
    yes_no,
)
from spreadsheets.registry import Exporter, Importer, register_exporter, register_importer
from workflows.org import services as org_services
from workflows.org.models import Room
from workflows.org.permissions import can_manage_rooms
from workflows.org.selectors import communities_visible_to, room_list_for_user


def room_columns(*, user=None, with_choices: bool = False) -> list[Column]:
    communities = [c.name for c in communities_visible_to(user)] if with_choices and user else []
    return [
        Column("community", gettext_lazy("Community"), required=True, choices=communities),
        Column("name", gettext_lazy("Room name"), required=True),
        Column("kind", gettext_lazy("Room type"), required=True, choices=[str(label) for _c, label in Room.Kind.choices]),
        Column("area_m2", gettext_lazy("Area (m²)"), Kind.NUMBER, required=True),
        Column("floor", gettext_lazy("Floor")),
        Column("capacity", gettext_lazy("Capacity"), Kind.INTEGER),
        Column("for_lease", gettext_lazy("Offered for lease"), choices=[_("Yes"), _("No")] if with_choices else ()),
        Column("note", gettext_lazy("Note")),
    ]


@register_exporter
class RoomExporter(Exporter):
    kind = "rooms"
    title = gettext_lazy("Rooms")

    def parse_params(self, *, user, query):
        return {"community": community_param(user=user, query=query)}

    def _rooms(self, *, user, params):
        return room_list_for_user(user=user, community_id=params.get("community")).prefetch_related(None)

    def count(self, *, user, params):
        return self._rooms(user=user, params=params).count()

    def filename(self, *, params):
        return f"rooms-{timezone.localdate():%Y%m%d}.xlsx"

    def write(self, book, *, user, params, progress):
        rows = (
            [r.community.name, r.name, r.get_kind_display(), r.area_m2, r.floor, r.capacity, yes_no(r.for_lease), r.note]
            for r in self._rooms(user=user, params=params).iterator(chunk_size=2000)
        )
        book.table(
            _("Rooms"),
            room_columns(),
            rows,
            header_block=header_block(user=user, community=community_label(user=user, community_id=params["community"])),
            progress=progress,
        )


@register_importer
class RoomImporter(Importer):
    kind = "rooms"
    title = gettext_lazy("Rooms")
    example = {
        "community": "凤凰社区",
        "name": "示例：亲子活动室",
        "kind": Room.Kind.ACTIVITY.label,
        "area_m2": Decimal("45"),
        "floor": "2F",
        "capacity": 20,
        "for_lease": "是",
        "note": "",
    }

    def allowed(self, user):
        # Anyone who may add rooms somewhere; each row is still checked against its community.
        return user.is_authenticated and any(can_manage_rooms(user, c) for c in communities_visible_to(user))

    def columns(self, *, user, params):
        return room_columns(user=user, with_choices=True)

    def import_row(self, *, actor, row, state, params):
        if "communities" not in state:
            state["communities"] = CommunityLookup(actor)
            state["kinds"] = choice_lookup(Room.Kind)
        v = row.values
        errors = {}
        community = kind = for_lease = None
        try:
            community = state["communities"].get(v["community"], "community")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        kind_text = "" if v["kind"] is None else str(v["kind"]).strip().lower()
        kind = state["kinds"].get(kind_text)
        if kind is None and v["kind"] is not None:
            errors["kind"] = [_("Unknown room type “%(value)s”.") % {"value": v["kind"]}]
        try:
            for_lease = parse_yes_no(v["for_lease"], "for_lease")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if community is not None and not can_manage_rooms(actor, community):
            errors["community"] = [_("You may not add rooms to this community.")]
        fields = {
            "name": "" if v["name"] is None else str(v["name"]),
            "kind": kind or "",
            "area_m2": v["area_m2"],
            "floor": "" if v["floor"] is None else str(v["floor"]),
            "capacity": v["capacity"],
            "for_lease": bool(for_lease),
            "note": "" if v["note"] is None else str(v["note"]),
        }
        if errors:
            # Report the row's other bad cells too, with the model's own field validation.
            try:
                Room(community=community, **fields).full_clean(exclude=[*errors, "community"], validate_unique=False)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    errors.setdefault(key, messages)
            raise ValidationError(errors)
        org_services.room_create(actor=actor, community=community, **fields)
