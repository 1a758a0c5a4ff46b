"""Deadline rules of steps, counted the way the 民法典 counts periods (Arts. 201–204).

- the day the period starts is not counted (第二百零一条);
- a period that ends on a rest day ends on the first working day after it (第二百零三条);
- the last day ends at 24:00 (第二百零三条), here 24:00 Asia/Shanghai, i.e. 00:00 of the next day.

Rules are declared in code next to a step and checked when the module is imported, so a bad rule
fails at start-up, not when the first task is created. Nothing here touches a model of its own; the
calendar (workflows.org.calendar) supplies the working days and says which years are provisional.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext, ngettext

from workflows.org import calendar

WORKING = "working"
CALENDAR = "calendar"
TASK_CREATED = "task_created"
PROCESS_FILED = "process_filed"

UNITS = (WORKING, CALENDAR)
STARTS = (TASK_CREATED, PROCESS_FILED)

# Statutory periods run on Beijing time whatever the server's TIME_ZONE says.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# When a reminder is sent on its day: the start of office hours, so it is read, not slept through.
REMINDER_TIME = dt.time(9, 0)


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@dataclass(frozen=True)
class DeadlineRule:
    days: int
    unit: Literal["working", "calendar"] = WORKING
    # The legal basis shown beside the deadline, e.g. 《政府信息公开条例》第三十三条 (lazy text is fine).
    basis: object = ""
    start: Literal["task_created", "process_filed"] = TASK_CREATED
    # A registered action code the engine's timer fires when the deadline passes ("" = none).
    on_timeout: str = ""
    # Reminders this many days (in the rule's unit) before the due day.
    remind_before: tuple[int, ...] = ()

    def __post_init__(self):
        if not _positive_int(self.days):
            raise ValueError(f"DeadlineRule.days must be a positive integer, got {self.days!r}")
        if self.unit not in UNITS:
            raise ValueError(f"DeadlineRule.unit must be one of {UNITS}, got {self.unit!r}")
        if self.start not in STARTS:
            raise ValueError(f"DeadlineRule.start must be one of {STARTS}, got {self.start!r}")
        if not isinstance(self.on_timeout, str):
            raise ValueError(f"DeadlineRule.on_timeout must be an action code string, got {self.on_timeout!r}")
        if not isinstance(self.remind_before, tuple) or not all(_positive_int(n) for n in self.remind_before):
            raise ValueError(
                f"DeadlineRule.remind_before must be a tuple of positive integers, got {self.remind_before!r}"
            )


@dataclass(frozen=True)
class Due:
    at: dt.datetime  # aware: 24:00 Asia/Shanghai of `day`, i.e. 00:00 of the next local day
    day: dt.date  # the last day of the period, local date
    provisional: bool  # some counted day, or the move past a holiday, lies in a provisional year


def _local_day(moment: dt.datetime) -> dt.date:
    if timezone.is_naive(moment):
        raise ValueError("deadlines are counted from an aware datetime")
    return moment.astimezone(LOCAL_TZ).date()


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LOCAL_TZ)


def _last_day(rule: DeadlineRule, start_day: dt.date) -> dt.date:
    if rule.unit == WORKING:
        return calendar.add_working_days(start_day, rule.days)
    return calendar.add_calendar_days(start_day, rule.days)


def due_for(rule: DeadlineRule, start: dt.datetime) -> Due:
    """When a period under `rule` that starts at `start` ends."""
    start_day = _local_day(start)
    day = _last_day(rule, start_day)
    # The counted days are (start_day, day]; any year among them that is provisional makes the
    # deadline an estimate.
    first_counted = start_day + dt.timedelta(days=1)
    provisional = bool(calendar.provisional_years(range(first_counted.year, day.year + 1)))
    return Due(at=_end_of(day), day=day, provisional=provisional)


def reminders_for(rule: DeadlineRule, start: dt.datetime) -> list[dt.datetime]:
    """When to remind the holder: 09:00 Asia/Shanghai of each reminder day, earliest first.

    A reminder day is `remind_before` days (working or calendar, as the rule counts) before the
    last day. Reminders that would fall on or before the start day are dropped: there is nothing
    to remind of before the task exists.
    """
    if not rule.remind_before:
        return []
    start_day = _local_day(start)
    last = due_for(rule, start).day
    days = set()
    for n in rule.remind_before:
        if rule.unit == WORKING:
            day = calendar.add_working_days(last, -n)
        else:
            day = last - dt.timedelta(days=n)
        if day > start_day:
            days.add(day)
    return [dt.datetime.combine(day, REMINDER_TIME, tzinfo=LOCAL_TZ) for day in sorted(days)]


def is_overdue(due_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """True once the deadline's instant has passed (the whole last day is still in time); a task
    without a deadline is never overdue."""
    return due_at is not None and (now or timezone.now()) >= due_at


def describe(rule: DeadlineRule) -> str:
    """The period as people read it, e.g. 20 个工作日（《政府信息公开条例》第三十三条）."""
    if rule.unit == WORKING:
        period = ngettext("%(days)s working day", "%(days)s working days", rule.days) % {"days": rule.days}
    else:
        period = ngettext("%(days)s calendar day", "%(days)s calendar days", rule.days) % {"days": rule.days}
    basis = str(rule.basis) if rule.basis else ""
    if not basis:
        return period
    return gettext("%(period)s (%(basis)s)") % {"period": period, "basis": basis}
