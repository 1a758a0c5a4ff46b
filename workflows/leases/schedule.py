"""Weekly slots → an RFC 5545 recurrence → dated occurrences, and the room's opening hours.

A slot is a weekly pattern (weekdays, start and end time) between the lease's start and end date.
Each slot is stored as one block of RFC 5545 text (DTSTART, RRULE, EXDATE) and expanded with
dateutil's `rrule`; times are Asia/Shanghai wall-clock times (floating in the text, made aware
when expanded). Statutory holidays become EXDATEs when the request is filed (the room is closed),
unless the lease asks for them; a make-up working day is a working day and keeps its slot.
"""

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import rrule
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from workflows.approvals.deadlines import LOCAL_TZ
from workflows.org import calendar
from workflows.org.models import OpeningHours

BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_SLOTS = 10


@dataclass(frozen=True)
class Slot:
    weekdays: tuple[int, ...]  # 0 = Monday, as org.OpeningHours
    starts: dt.time
    ends: dt.time

    def as_dict(self) -> dict:
        return {"weekdays": list(self.weekdays), "starts": self.starts.strftime("%H:%M"),
                "ends": self.ends.strftime("%H:%M")}

    @property
    def hours(self) -> float:
        return (dt.datetime.combine(dt.date.min, self.ends) - dt.datetime.combine(dt.date.min, self.starts)).seconds / 3600


@dataclass(frozen=True)
class Occ:
    date: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime


def weekday_label(day: int) -> str:
    return str(OpeningHours.Weekday(day).label)


def parse_slots(raw) -> list[Slot]:
    """The API's slot list, checked: field messages under `slots` / `slots.<i>`."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"slots": [_("Give at least one weekly slot.")]})
    if len(raw) > MAX_SLOTS:
        raise ValidationError({"slots": [_("At most %(n)s slots.") % {"n": MAX_SLOTS}]})
    slots, errors = [], {}
    for i, item in enumerate(raw):
        key = f"slots.{i}"
        if not isinstance(item, dict):
            errors[key] = [_("A slot is {weekdays, starts, ends}.")]
            continue
        days = item.get("weekdays")
        if (not isinstance(days, list) or not days
                or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days)):
            errors[key] = [_("Weekdays are numbers 0 (Monday) to 6 (Sunday).")]
            continue
        times = []
        for name in ("starts", "ends"):
            value = item.get(name)
            match = TIME_RE.match(value) if isinstance(value, str) else None
            times.append(dt.time(int(match[1]), int(match[2])) if match else None)
        if None in times:
            errors[key] = [_("Times are HH:MM, e.g. 18:30.")]
            continue
        if times[0] >= times[1]:
            errors[key] = [_("A slot ends after it starts.")]
            continue
        slots.append(Slot(tuple(sorted(set(days))), times[0], times[1]))
    if errors:
        raise ValidationError(errors)
    return slots


def _windows(room) -> dict[int, list[tuple[dt.time, dt.time, list[str]]]]:
    """The room's opening windows per weekday, adjoining ones merged (regular hours that run on
    into extended hours make one window), each with the kinds it is made of."""
    by_day: dict[int, list] = {}
    for row in sorted(room.opening_hours.all(), key=lambda r: (r.weekday, r.opens)):
        day = by_day.setdefault(row.weekday, [])
        if day and row.opens <= day[-1][1]:
            opens, closes, kinds = day[-1]
            day[-1] = (opens, max(closes, row.closes), [*kinds, row.kind])
        else:
            day.append((row.opens, row.closes, [row.kind]))
    return by_day


def describe_hours(room, weekday: int) -> str:
    labels = dict(OpeningHours.Kind.choices)
    rows = [r for r in room.opening_hours.all() if r.weekday == weekday]
    if not rows:
        return _("closed")
    return ", ".join(f"{r.opens:%H:%M}–{r.closes:%H:%M} ({labels[r.kind]})" for r in sorted(rows, key=lambda r: r.opens))


def check_opening_hours(room, slots: list[Slot]) -> None:
    """Every slot inside the room's opening hours on each of its weekdays (extended and staggered
    hours count): else a 400 on the slot naming it and that day's hours."""
    windows = _windows(room)
    errors = {}
    for i, slot in enumerate(slots):
        for day in slot.weekdays:
            if not any(opens <= slot.starts and slot.ends <= closes for opens, closes, _k in windows.get(day, [])):
                errors.setdefault(f"slots.{i}", []).append(
                    _("%(day)s %(starts)s–%(ends)s is outside the room's opening hours on %(day)s: %(hours)s.")
                    % {"day": weekday_label(day), "starts": f"{slot.starts:%H:%M}", "ends": f"{slot.ends:%H:%M}",
                       "hours": describe_hours(room, day)})
    if errors:
        raise ValidationError(errors)


def _stamp(day: dt.date, time: dt.time) -> str:
    return dt.datetime.combine(day, time).strftime("%Y%m%dT%H%M%S")


def build_recurrence(slots: list[Slot], starts_on: dt.date, ends_on: dt.date, *, skip: set[dt.date],
                     include_holidays: bool) -> str:
    """The RFC 5545 text of the slots: one DTSTART/RRULE/EXDATE block per slot, blank-line apart.
    Statutory holidays in the term are EXDATEs unless `include_holidays`."""
    excluded = set(skip)
    if not include_holidays:
        excluded |= calendar.statutory_holidays(starts_on, ends_on)
    blocks = []
    for slot in slots:
        lines = [f"DTSTART:{_stamp(starts_on, slot.starts)}",
                 f"RRULE:FREQ=WEEKLY;BYDAY={','.join(BYDAY[d] for d in slot.weekdays)};"
                 f"UNTIL={_stamp(ends_on, slot.starts)}"]
        days = sorted(d for d in excluded if d.weekday() in slot.weekdays and starts_on <= d <= ends_on)
        if days:
            lines.append("EXDATE:" + ",".join(_stamp(d, slot.starts) for d in days))
        lines.append(f"X-GONGYING-ENDS:{slot.ends:%H%M%S}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def expand(recurrence: str) -> list[Occ]:
    """Every occurrence of the stored recurrence, in time order (aware, Asia/Shanghai)."""
    found = []
    for block in recurrence.split("\n\n"):
        lines = block.splitlines()
        ends_line = next(line for line in lines if line.startswith("X-GONGYING-ENDS:"))
        ends = dt.datetime.strptime(ends_line.split(":", 1)[1], "%H%M%S").time()
        rule = rrule.rrulestr("\n".join(line for line in lines if not line.startswith("X-")), forceset=True)
        for start in rule:
            found.append(Occ(start.date(), start.replace(tzinfo=LOCAL_TZ),
                             dt.datetime.combine(start.date(), ends, tzinfo=LOCAL_TZ)))
    found.sort(key=lambda o: o.starts_at)
    return found


def overlaps(wanted: list[Occ], taken: list[tuple[dt.datetime, dt.datetime, object]]) -> list[tuple[Occ, object]]:
    """Each wanted occurrence that overlaps a taken interval, with what it clashes with: a merge of
    two time-sorted lists (n + m, not n × m)."""
    taken = sorted(taken, key=lambda t: t[0])
    clashes, j = [], 0
    for occ in wanted:
        while j < len(taken) and taken[j][1] <= occ.starts_at:
            j += 1
        k = j
        while k < len(taken) and taken[k][0] < occ.ends_at:
            if taken[k][1] > occ.starts_at:
                clashes.append((occ, taken[k][2]))
                break
            k += 1
    return clashes
