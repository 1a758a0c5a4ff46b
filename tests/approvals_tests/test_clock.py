"""A deadline clock that stops and starts again with the days that were left
(services.deadline_suspend / deadline_resume), on the engine's test process: the review step's
3-working-day deadline, stopped on Tuesday with two days left, resumed the next Monday, ends
with Wednesday."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.approvals_tests.engine_process.models import Ticket
from tests.approvals_tests.engine_process.services import ticket_create
from workflows.approvals import services as engine
from workflows.approvals.models import RouteTask

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_a_suspended_deadline_does_not_fire_and_resumes_with_the_days_left(users, communities):
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, 0, tzinfo=TZ), tick=False):  # Monday
        ticket = ticket_create(actor=users["heping_staff"], community=communities["heping"], text="灯坏了")
    process_id = Ticket.objects.get(pk=ticket.pk).process_id
    task = Task.objects.select_related("process").get(process_id=process_id, status=STATUS.NEW)
    assert RouteTask.objects.get(task_id=task.pk).due_at == dt.datetime(2025, 3, 7, tzinfo=TZ)
    with time_machine.travel(dt.datetime(2025, 3, 4, 15, 0, tzinfo=TZ), tick=False):  # Tuesday: 5 and 6 March left
        assert engine.deadline_suspend(task) == 2
        assert engine.deadline_suspend(task) == 2  # idempotent
    assert RouteTask.objects.get(task_id=task.pk).due_at is None
    with time_machine.travel(dt.datetime(2025, 3, 9, 12, 0, tzinfo=TZ), tick=False):
        assert engine.deadlines_sweep()["timeouts"] == 0
    task.refresh_from_db()
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=TZ), tick=False):  # Monday
        due = engine.deadline_resume(task)
    assert due == dt.datetime(2025, 3, 13, tzinfo=TZ)  # 11 and 12 March: the end of Wednesday
    assert RouteTask.objects.get(task_id=task.pk).due_at == due


def test_a_timeout_listed_before_the_clock_stopped_stands_down_under_the_lock(users, communities):
    with time_machine.travel(dt.datetime(2025, 3, 3, 10, 0, tzinfo=TZ), tick=False):
        ticket = ticket_create(actor=users["heping_staff"], community=communities["heping"], text="灯坏了")
    task = Task.objects.select_related("process").get(process_id=Ticket.objects.get(pk=ticket.pk).process_id,
                                                      status=STATUS.NEW)
    late = dt.datetime(2025, 3, 7, 9, 0, tzinfo=TZ)
    # The sweep has listed the task as due; the clock stops before the timer takes its locks.
    with time_machine.travel(late, tick=False):
        engine.deadline_suspend(task)
        assert engine._fire_timeout(task.pk, late) is False
    assert Task.objects.get(pk=task.pk).status == STATUS.NEW
