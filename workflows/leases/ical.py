"""The iCalendar feed of a room (RFC 5545, written with the `icalendar` package): the room's
occurrences from 30 days back to a year ahead, one event each, so a phone's calendar app shows
exactly what the room calendar shows (holds marked tentative)."""

import datetime as dt

from django.utils import timezone
from icalendar import Calendar, Event

from workflows.leases import selectors

PAST_DAYS, FUTURE_DAYS = 30, 366


def room_feed(room) -> bytes:
    today = timezone.localdate()
    cal = Calendar()
    cal.add("prodid", "-//Gongying//Room calendar//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", str(room))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    for row in selectors.room_calendar(room, today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)):
        event = Event()
        event.add("uid", f"occ-{row['request']}-{row['starts_at']:%Y%m%dT%H%M}-room{room.pk}@gongying")
        event.add("dtstamp", stamp)
        event.add("dtstart", row["starts_at"])
        event.add("dtend", row["ends_at"])
        event.add("summary", f"{row['service']} · {row['partner']}")
        event.add("location", str(room))
        event.add("status", "CONFIRMED" if row["state"] == "active" else "TENTATIVE")
        if row["lease"]:
            event.add("description", row["lease"])
        cal.add_component(event)
    return cal.to_ical()
