"""Shared steps of the lease tests: a partner and a room of the demo, a request filed through
the API the way clients do, a lease walked through the engine's real task actions."""

import datetime as dt
from zoneinfo import ZoneInfo

from workflows.leases import services
from workflows.leases.demo import FORM_DATA, walk_through
from workflows.org.models import Room
from workflows.partners.models import Partner

TZ = ZoneInfo("Asia/Shanghai")
# Monday 14 September 2026, 10:00 in Heshan. The autumn has Mid-autumn (25–27 Sep) and National
# Day (1–7 Oct), with make-up working days on Sunday 20 Sep and Saturday 10 Oct.
NOW = dt.datetime(2026, 9, 14, 10, 0, tzinfo=TZ)


def partner(name: str = "墨韵书法工作室") -> Partner:
    return Partner.objects.select_related("community", "user").get(public_name=name)


def room(code: str = "heping", name: str = "书法室") -> Room:
    return Room.objects.select_related("community").get(community__code=code, name=name)


def slot(days, starts, ends) -> dict:
    return {"weekdays": list(days), "starts": starts, "ends": ends}


def body(the_room, the_partner, **changes) -> dict:
    values = {"room": the_room.pk, "partner": the_partner.pk, "service": "少儿硬笔书法", "starts_on": "2026-09-15",
              "ends_on": "2026-10-31", "slots": [slot((0,), "19:00", "21:00")], "price_model": "low",
              "skip_dates": [], "skip_conflicts": False, "data": dict(FORM_DATA)}
    values.update(changes)
    return values


def file(api, the_room, the_partner, **changes):
    return api.post("/api/lease-requests/", body(the_room, the_partner, **changes), format="json")


def leased(users, the_room, the_partner, *, slots, starts_on, ends_on, price_model="low", service="书法班",
           signed_on=None):
    """A request filed by the community's staff and walked to a signed lease."""
    staff = users[f"{the_room.community.code}_staff"]
    request = services.request_file(actor=staff, room=the_room, partner=the_partner, service=service,
                                    starts_on=starts_on, ends_on=ends_on, slots=slots, price_model=price_model,
                                    data=dict(FORM_DATA))
    from django.utils import timezone

    return walk_through(request, signed_on=signed_on or min(starts_on, timezone.localdate()))
