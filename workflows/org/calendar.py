"""Working-day arithmetic for deadlines, on the official Chinese schedule plus admin overrides.

`chinese_calendar` carries the State Council's holidays and make-up working days (调休). For a
year it does not know yet we fall back to Monday–Friday and log it once, because a deadline a
day off is better than a crash; admins correct such years with CalendarOverride rows.
"""

import datetime as dt
import logging
from functools import lru_cache

import chinese_calendar

logger = logging.getLogger(__name__)


@lru_cache(maxsize=16)
def _warn_unknown_year(year: int) -> None:
    logger.warning("chinese_calendar has no schedule for %s; using Monday-Friday until an admin adds overrides", year)


def _official_is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    from workflows.org.models import CalendarOverride

    rows = CalendarOverride.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working_day")
    return dict(rows)


def is_working_day(day: dt.date) -> bool:
    override = _overrides(day, day).get(day)
    return override if override is not None else _official_is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date n working days after `start` (n > 0) or before it (n < 0); n == 0 → `start`.

    `start` itself never counts: a request filed on Friday with 1 working day is due Monday.
    """
    if n == 0:
        return start
    step = 1 if n > 0 else -1
    remaining = abs(n)
    # Fetch overrides for a generous window once; 3x covers the longest Chinese holiday runs.
    span = dt.timedelta(days=remaining * 3 + 14)
    lo, hi = (start, start + span) if step > 0 else (start - span, start)
    overrides = _overrides(lo, hi)
    day = start
    while remaining:
        day += dt.timedelta(days=step)
        if (lo <= day <= hi) is False:
            overrides.update(_overrides(day, day + span) if step > 0 else _overrides(day - span, day))
            lo, hi = min(lo, day - span), max(hi, day + span)
        working = overrides.get(day)
        if working is None:
            working = _official_is_working_day(day)
        if working:
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days from `start` until `end`.

    Negative when `end` is before `start`, so "overdue by N working days" reads naturally.
    """
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides(start, end)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        working = overrides.get(day)
        if working is None:
            working = _official_is_working_day(day)
        count += working
    return count
