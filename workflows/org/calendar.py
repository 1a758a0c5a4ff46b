"""Working-day arithmetic for deadlines, on the official Chinese schedule plus admin overrides.

Where a day's status comes from, strongest first:

1. a CalendarOverride row (an admin's correction) always wins;
2. `chinese_calendar`, the State Council's published holidays and make-up working days (调休),
   for the years it knows ("official" years);
3. for later years, the `holidays` package's Chinese statutory holidays (it computes the festivals
   but does not know a year's make-up working days before they are announced), else Monday–Friday.

A year in (3) is *provisional* until an admin records, with a CalendarYear row, that its official
schedule has been entered as overrides; deadlines counted on a provisional year are shown as 预计.

These functions sit on the approval hot path, so each year's schedule is computed once per process
(only the days that differ from Monday–Friday are kept), and every public function reads the
override table at most once.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from functools import lru_cache

import chinese_calendar
import holidays

logger = logging.getLogger(__name__)

_ONE_DAY = dt.timedelta(days=1)


def _weekday_default(day: dt.date) -> bool:
    return day.weekday() < 5


@lru_cache(maxsize=256)
def _official_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _days_of(year: int) -> Iterable[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += _ONE_DAY


@lru_cache(maxsize=256)
def _schedule(year: int) -> dict[dt.date, bool]:
    """The days of `year` whose status differs from Monday–Friday, from the packages only."""
    if _official_knows(year):
        return {d: w for d in _days_of(year) if (w := chinese_calendar.is_workday(d)) != _weekday_default(d)}
    logger.info("chinese_calendar has no schedule for %s; using the holidays package's statutory holidays", year)
    # holidays.China.is_working_day also honours its weekend_workdays, so make-up days appear here as
    # soon as a release of the package carries them.
    provisional = holidays.China(years=year)
    return {d: w for d in _days_of(year) if (w := provisional.is_working_day(d)) != _weekday_default(d)}


def package_is_working_day(day: dt.date) -> bool:
    """The packages' answer for `day`, ignoring admin overrides."""
    return _schedule(day.year).get(day, _weekday_default(day))


def _overrides(*, gte: dt.date | None = None, lte: dt.date | None = None) -> dict[dt.date, bool]:
    from workflows.org.models import CalendarOverride

    rows = CalendarOverride.objects.all()
    if gte is not None:
        rows = rows.filter(date__gte=gte)
    if lte is not None:
        rows = rows.filter(date__lte=lte)
    return dict(rows.values_list("date", "is_working_day"))


def _working(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    override = overrides.get(day)
    return override if override is not None else package_is_working_day(day)


def is_working_day(day: dt.date) -> bool:
    return _working(day, _overrides(gte=day, lte=day))


def is_provisional_year(year: int) -> bool:
    """True while chinese_calendar does not know `year` and no admin has entered its official schedule."""
    if _official_knows(year):
        return False
    from workflows.org.models import CalendarYear

    return not CalendarYear.objects.filter(year=year, official_entered=True).exists()


def provisional_years(years: Iterable[int]) -> set[int]:
    """The provisional ones among `years`, with at most one query."""
    unknown = {y for y in years if not _official_knows(y)}
    if not unknown:
        return set()
    from workflows.org.models import CalendarYear

    entered = set(CalendarYear.objects.filter(year__in=unknown, official_entered=True).values_list("year", flat=True))
    return unknown - entered


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date n working days after `start` (n > 0) or before it (n < 0); n == 0 → `start`.

    `start` itself never counts: a request filed on Friday with 1 working day is due Monday.
    """
    if n == 0:
        return start
    # Every override on the side we walk towards, in one query: the table holds a few dozen rows a
    # year, and an open bound cannot run short the way a guessed window can.
    overrides = _overrides(gte=start) if n > 0 else _overrides(lte=start)
    return _walk_working_days(start, n, overrides)


def _walk_working_days(start: dt.date, n: int, overrides: dict[dt.date, bool]) -> dt.date:
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if _working(day, overrides):
            remaining -= 1
    return day


def add_calendar_days(start: dt.date, n: int) -> dt.date:
    """`start` + n days (n > 0), moved on to the next working day if that is a rest day.

    A period counted in calendar days that ends on a holiday ends on the first working day after
    it (民法典 第二百零三条).
    """
    if n <= 0:
        raise ValueError("add_calendar_days counts forwards only")
    day = start + dt.timedelta(days=n)
    overrides = _overrides(gte=day)
    while not _working(day, overrides):
        day += _ONE_DAY
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days from `start` until `end`.

    Negative when `end` is before `start`, so "overdue by N working days" reads naturally.
    """
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides(gte=start, lte=end)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        count += _working(day, overrides)
    return count


def provisional_year_warnings(today: dt.date | None = None) -> list[str]:
    """One warning per provisional year among this year and next (the years new deadlines land in)."""
    from django.utils import timezone
    from django.utils.translation import gettext

    today = today or timezone.localdate()
    years = sorted(provisional_years([today.year, today.year + 1]))
    return [
        gettext("The official holiday schedule for %(year)s has not been entered; deadlines are provisional")
        % {"year": year}
        for year in years
    ]


@lru_cache(maxsize=256)
def _festival_days(year: int) -> frozenset[dt.date]:
    """The rest days of `year` that belong to a festival's period, by the packages (computed once
    per year: a lease's three years of slots ask about every day)."""
    if _official_knows(year):
        return frozenset(d for d in _days_of(year) if all(chinese_calendar.get_holiday_detail(d)))
    return frozenset(holidays.China(years=year))


def _package_holiday(day: dt.date) -> bool:
    """A statutory holiday by the packages: a rest day of a festival's period (not a plain weekend)."""
    return day in _festival_days(day.year)


def statutory_holidays(start: dt.date, end: dt.date) -> set[dt.date]:
    """The statutory holidays in [start, end]: rest days of a festival's period (a weekend inside
    the National Day week counts; a plain weekend does not), with admin overrides applied. A
    make-up working day (调休上班) is a working day here, though the packages name its festival."""
    overrides = _overrides(gte=start, lte=end)
    found = set()
    day = start
    while day <= end:
        override = overrides.get(day)
        if override is not None:
            # An admin's rest day on a weekday is a holiday; a working day never is.
            if not override and day.weekday() < 5:
                found.add(day)
        elif not package_is_working_day(day) and _package_holiday(day):
            found.add(day)
        day += _ONE_DAY
    return found
