"""The engine's additions for processes beyond spending, on its own test process: a deadline
moved by an extension, a process's own sweep run by the deadline timer, and the declaration
checks of queues shared by several roles. (Inquiries use all three end to end.)"""

import dataclasses
import datetime as dt

import time_machine
from django.core.management import call_command

from tests.approvals_tests.engine_process.process import TICKET
from tests.approvals_tests.test_engine import DUE, _file_on_monday, open_tasks, reload
from workflows.approvals import checks, registry
from workflows.approvals import services as engine
from workflows.approvals.extensions import deadline_extend
from workflows.approvals.models import RouteTask
from workflows.approvals.registry import COMMUNITY, StepDef
from workflows.approvals.services import ActionContext
from workflows.org.roles import Role


def test_an_extension_moves_the_deadline_on_working_days_and_the_timer_waits_for_it(users, communities):
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)
    ctx = ActionContext(kind=TICKET, obj=reload(ticket), task=review, actor=users["heping_secretary"])
    due = deadline_extend(ctx, days=2)
    # Due when Friday 7 March began; two more working days: Friday 7 and Monday 10 March.
    assert due.at == DUE + dt.timedelta(days=4) and due.day == dt.date(2025, 3, 10)
    entry = RouteTask.objects.get(task_id=review.pk)
    assert entry.due_at == due.at and review.data["due_at"] == due.at.isoformat()
    with time_machine.travel(DUE + dt.timedelta(hours=1), tick=False):
        call_command("approval_deadlines")
    assert open_tasks(ticket)[0].owner_id == users["heping_secretary"].pk  # not escalated yet
    with time_machine.travel(due.at + dt.timedelta(minutes=1), tick=False):
        call_command("approval_deadlines")
    assert open_tasks(ticket)[0].owner_id == users["shaping_reviewer"].pk


def test_the_deadline_sweep_runs_each_process_sweep_and_counts_what_it_fired(db, monkeypatch):
    seen = []
    swept = dataclasses.replace(TICKET, sweep=lambda now: seen.append(now) or 2)
    monkeypatch.setitem(registry._kinds, TICKET.kind, swept)
    now = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)
    counts = engine.deadlines_sweep(now=now)
    assert seen == [now] and counts["process_timers"] == 2


def test_queue_roles_need_a_queue_step_and_known_roles():
    bad = dataclasses.replace(TICKET, steps=(
        dataclasses.replace(TICKET.steps[0], queue_roles=(Role.COMMUNITY_STAFF,)),
        *TICKET.steps[1:2],
        dataclasses.replace(TICKET.steps[2], queue_roles=("nobody",)),
    ))
    errors = checks._kind_errors(bad)
    assert sum("queue_roles" in e for e in errors) == 2
    shared = StepDef("desk", Role.STREET_REVIEWER, COMMUNITY, "desk", queue=True, queue_roles=(Role.STREET_LEADER,))
    assert dataclasses.replace(TICKET, steps=(*TICKET.steps[:2], shared)).queue_holds("desk", Role.STREET_REVIEWER) == (
        Role.STREET_REVIEWER, Role.STREET_LEADER)
