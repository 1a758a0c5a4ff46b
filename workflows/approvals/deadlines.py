"""Placeholder of the deadline rules (replaced by the full module on merge)."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from workflows.org.calendar import add_working_days

WORKING = "working"
CALENDAR = "calendar"
TASK_CREATED = "task_created"
PROCESS_FILED = "process_filed"
_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DeadlineRule:
    days: int
    unit: str = WORKING
    basis: object = ""
    start: str = TASK_CREATED
    on_timeout: str = ""
    remind_before: tuple[int, ...] = ()


@dataclass(frozen=True)
class Due:
    at: dt.datetime
    day: dt.date
    provisional: bool


def due_for(rule: DeadlineRule, start: dt.datetime) -> Due:
    day = add_working_days(start.astimezone(_TZ).date(), rule.days)
    at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=_TZ)
    return Due(at=at, day=day, provisional=False)


def reminders_for(rule: DeadlineRule, start: dt.datetime) -> list[dt.datetime]:
    return []


def is_overdue(due_at, now=None) -> bool:
    from django.utils import timezone

    return due_at is not None and (now or timezone.now()) >= due_at


def describe(rule: DeadlineRule) -> str:
    return f"{rule.days} ({rule.basis})"
