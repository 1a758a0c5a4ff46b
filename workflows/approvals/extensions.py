"""Moving a task's deadline: an extension granted under the step's own rule (延期).

A process decides whether and how far a deadline may move (an inquiry: once, up to 20 working
days, with a reason) and writes its own history row; the engine moves the one deadline it keeps
— the task's `RouteTask.due_at`, its copy in the task data, the timer and the reminders — so the
inbox, the timer sweep and the process's pages keep agreeing.
"""

import datetime as dt

from django.utils import timezone
from viewflow.workflow.models import Task

from workflows.approvals.deadlines import LOCAL_TZ, REMINDER_TIME, WORKING, Due, _end_of
from workflows.approvals.models import RouteTask
from workflows.org import calendar


def deadline_extend(ctx, *, days: int) -> Due:
    """Move the deadline of `ctx.task` `days` days later (counted in the step rule's unit, from
    the current last day, as the 民法典 counts periods). The task must have a deadline."""
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise ValueError("an extension is a positive number of days")
    entry = RouteTask.objects.select_for_update().get(task_id=ctx.task.pk)
    rule = ctx.kind.step(entry.step).deadline
    if rule is None or entry.due_at is None:
        raise ValueError(f"step {entry.step!r} has no deadline to extend")
    # due_at is 24:00 of the last day, i.e. 00:00 of the day after it.
    last_day = entry.due_at.astimezone(LOCAL_TZ).date() - dt.timedelta(days=1)
    if rule.unit == WORKING:
        day = calendar.add_working_days(last_day, days)
    else:
        day = calendar.add_calendar_days(last_day, days)
    provisional = entry.due_provisional or bool(calendar.provisional_years(range(last_day.year, day.year + 1)))
    due = Due(at=_end_of(day), day=day, provisional=provisional)
    now = timezone.now()
    reminders = []
    for n in rule.remind_before:
        reminder_day = calendar.add_working_days(day, -n) if rule.unit == WORKING else day - dt.timedelta(days=n)
        moment = dt.datetime.combine(reminder_day, REMINDER_TIME, tzinfo=LOCAL_TZ)
        if moment > now:
            reminders.append(moment)
    RouteTask.objects.filter(task_id=entry.task_id).update(
        due_at=due.at, due_provisional=due.provisional, timed_out_at=None,
        remind_at=min(reminders) if reminders else None)
    ctx.task.data.update(due_at=due.at.isoformat(), due_provisional=due.provisional)
    Task.objects.filter(pk=ctx.task.pk).update(data=ctx.task.data)
    return due
