"""The approval engine on its own test process (tests/approvals_tests/engine_process), not
through expenses: a ticket goes review (secretary, 3 working days, escalates to the street
reviewer by timer) → committee countersign → street desk (a role queue) and is closed by the
process's own action `reply`. Real database, real services, the real `/api/tasks/` API.

Nothing outside this package was edited for it: the process declares itself in its AppConfig
(installed by tests/settings.py only), like any process app.
"""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from fixtures.loader import load_demo
from notifications.models import Notification
from tests.approvals_tests.engine_process.models import Ticket, TicketState
from tests.approvals_tests.engine_process.process import KIND, REVIEW_DEADLINE
from tests.approvals_tests.engine_process.services import ticket_create
from tests.conftest import DEMO_TEST_PASSWORD
from workflows.approvals import deadlines, registry
from workflows.approvals import services as engine
from workflows.approvals.models import HistoryEntry, RouteTask
from workflows.org.models import RoleMembership, User
from workflows.org.roles import Role

TZ = ZoneInfo("Asia/Shanghai")
# Monday 3 March 2025, an ordinary working week: three working days end on Thursday 6 March,
# so the review is due when Friday 7 March begins (Shanghai time).
FILED = dt.datetime(2025, 3, 3, 10, 0, tzinfo=TZ)
DUE = dt.datetime(2025, 3, 7, 0, 0, tzinfo=TZ)
COMMITTEE = ["heping_committee1", "heping_committee2", "heping_committee3"]


# --- helpers ---------------------------------------------------------------------------------


def file(users, communities, *, by="heping_staff", steps=None) -> Ticket:
    return ticket_create(actor=users[by], community=communities["heping"], text="和平社区活动室的灯坏了", steps=steps)


def reload(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def open_tasks(ticket) -> list[Task]:
    return list(Task.objects.filter(process_id=reload(ticket).process_id, status=STATUS.NEW).order_by("id"))


def listed(api, ticket) -> list[dict]:
    """The caller's rows of GET /api/tasks/ that belong to `ticket`."""
    response = api.get("/api/tasks/")
    assert response.status_code == 200
    return [r for r in response.json()["results"] if r["process"] == {"kind": KIND, "id": ticket.pk}]


def task_id(api, ticket) -> int:
    rows = listed(api, ticket)
    assert len(rows) == 1, rows
    return rows[0]["id"]


def post(api, task, action, body=None):
    return api.post(f"/api/tasks/{task}/{action}/", body or {}, format="json")


def history(ticket, **filters) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(process_kind=KIND, process_id=ticket.pk, **filters).order_by("id"))


def actions_of(ticket) -> list[str]:
    return [row.action for row in history(ticket)]


def notified(user, ticket) -> list[str]:
    rows = Notification.objects.filter(recipient=user, params__process_kind=KIND, params__process_id=ticket.pk)
    return list(rows.order_by("id").values_list("kind", flat=True))


def desk_task(ticket) -> RouteTask:
    """The open desk task: a queue task, held by no one."""
    return RouteTask.objects.get(process_kind=KIND, process_id=ticket.pk, step="desk", closed_at=None)


def approve_review_and_committee(users, api_for, ticket) -> None:
    assert post(api_for(users["heping_secretary"]), task_id(api_for(users["heping_secretary"]), ticket),
                "approve").status_code == 200
    for member in COMMITTEE[:2]:
        api = api_for(users[member])
        assert post(api, task_id(api, ticket), "approve").status_code == 200


@pytest.fixture
def second_reviewer(users, demo):
    """A second holder of the street reviewer role: the desk queue reaches everyone who holds it."""
    user = User.objects.create(username="shaping_reviewer2", display_name="第二审核人")
    RoleMembership.objects.create(user=user, role=Role.STREET_REVIEWER, org_unit=demo["street"])
    return user


pytestmark = pytest.mark.django_db


# --- the declaration ---------------------------------------------------------------------------


def test_the_test_process_declares_itself_and_its_own_action(demo):
    kind = registry.get(KIND)
    assert kind.flow_class.__module__.startswith("tests.approvals_tests.engine_process")
    assert "reply" in kind.actions and engine.is_task_action("reply")
    assert [s.code for s in kind.steps] == ["review", "committee", "desk"]
    assert kind.step("desk").queue and kind.step("committee").countersign
    assert kind.step("review").deadline == REVIEW_DEADLINE


# --- end to end through /api/tasks/ ----------------------------------------------------------


def test_a_ticket_runs_review_countersign_and_queue_to_an_answer_through_the_tasks_api(
        users, communities, api_for, second_reviewer):
    staff, secretary, reviewer = users["heping_staff"], users["heping_secretary"], users["shaping_reviewer"]
    ticket = file(users, communities)
    assert reload(ticket).state == TicketState.PENDING

    rows = listed(api_for(secretary), ticket)
    assert [(r["step"], r["assignee"]["id"]) for r in rows] == [("review", secretary.pk)]
    assert post(api_for(secretary), rows[0]["id"], "approve", {"comment": "同意"}).status_code == 200

    # One vote per committee member; the secretary sits on the committee but signed the step before.
    for member in COMMITTEE:
        assert [r["step"] for r in listed(api_for(users[member]), ticket)] == ["committee"]
    assert listed(api_for(secretary), ticket) == []
    for member in COMMITTEE[:2]:
        api = api_for(users[member])
        assert post(api, task_id(api, ticket), "approve").status_code == 200

    # A majority decided: the last vote is no longer open, and the desk waits in the street queue.
    assert listed(api_for(users["heping_committee3"]), ticket) == []
    desk = desk_task(ticket)
    assert desk.queue and desk.role == Role.STREET_REVIEWER
    assert [t.owner_id for t in open_tasks(ticket)] == [None]
    for holder in (reviewer, second_reviewer):
        assert "task.queued" in notified(holder, ticket)

    response = post(api_for(second_reviewer), desk.task_id, "reply", {"text": "已报修，本周五前修好。"})
    assert response.status_code == 200, response.content

    ticket = reload(ticket)
    assert ticket.state == TicketState.APPROVED and ticket.answer == "已报修，本周五前修好。"
    assert open_tasks(ticket) == []
    assert actions_of(ticket) == ["submit", "approve", "recuse", "approve", "approve", "step_passed", "reply"]
    answer = history(ticket, action="reply")[0]
    assert answer.actor_id == second_reviewer.pk and answer.step == "desk" and answer.task_id == desk.task_id
    assert (answer.state_before, answer.state_after) == (TicketState.PENDING, TicketState.APPROVED)
    assert history(ticket, action="recuse")[0].detail == {"reason": "signed_previous_step"}

    assert notified(secretary, ticket) == ["task.assigned"]
    for member in COMMITTEE:
        assert notified(users[member], ticket)[0] == "task.assigned"
    assert notified(staff, ticket)[-1] == "request.approved"
    assert notified(staff, ticket).count("request.step_approved") == 3  # review, committee, desk
    assert RouteTask.objects.get(task_id=desk.task_id).closed_at is not None


def test_a_queue_task_is_listed_in_the_tasks_api_for_every_holder_of_the_role(
        users, communities, api_for, second_reviewer):
    ticket = file(users, communities)
    approve_review_and_committee(users, api_for, ticket)
    for holder in (users["shaping_reviewer"], second_reviewer):
        assert [r["step"] for r in listed(api_for(holder), ticket)] == ["desk"]


def test_a_queue_task_is_claimed_by_one_holder_and_leaves_the_others(users, communities, api_for, second_reviewer):
    ticket = file(users, communities)
    approve_review_and_committee(users, api_for, ticket)
    desk = desk_task(ticket)
    assert post(api_for(users["shaping_reviewer"]), desk.task_id, "claim").status_code == 200
    assert post(api_for(second_reviewer), desk.task_id, "reply", {"text": "x"}).status_code == 404
    assert [r["step"] for r in listed(api_for(users["shaping_reviewer"]), ticket)] == ["desk"]
    assert post(api_for(users["shaping_reviewer"]), desk.task_id, "reply", {"text": "好"}).status_code == 200
    assert actions_of(reload(ticket))[-2:] == ["claim", "reply"]


def test_bad_task_actions_get_a_400_404_or_409_and_change_nothing(users, communities, api_for):
    ticket = file(users, communities)
    secretary = api_for(users["heping_secretary"])
    task = task_id(secretary, ticket)

    response = post(secretary, task, "reply", {})
    assert response.status_code == 400 and "text" in response.json()
    response = post(secretary, task, "reply", {"text": "   "})
    assert response.status_code == 400 and "text" in response.json()
    response = post(secretary, task, "reply", {"text": "长" * 2001})
    assert response.status_code == 400 and "text" in response.json()
    assert post(secretary, task, "frobnicate").status_code == 404
    assert post(api_for(users["heping_committee1"]), task, "approve").status_code == 404
    assert post(api_for(users["shaping_reviewer"]), task, "reply", {"text": "不是我的"}).status_code == 404
    assert actions_of(ticket) == ["submit"]

    assert post(secretary, task, "approve").status_code == 200
    response = post(secretary, task, "approve")
    assert response.status_code == 409 and response.json()["detail"]
    assert actions_of(ticket).count("approve") == 1


# --- the edge rules ------------------------------------------------------------------------------


def test_the_submitter_passes_her_own_step_and_is_recused_from_the_vote(users, communities, api_for):
    secretary = users["heping_secretary"]
    ticket = file(users, communities, by="heping_secretary")
    auto = history(ticket, action="auto_pass")
    assert [(r.step, r.actor_id, r.detail) for r in auto] == [("review", secretary.pk, {"reason": "submitter"})]
    recused = history(ticket, action="recuse")
    assert [(r.actor_id, r.detail) for r in recused] == [(secretary.pk, {"reason": "submitter"})]
    assert listed(api_for(secretary), ticket) == []
    assert sorted(t.owner_id for t in open_tasks(ticket)) == sorted(users[m].pk for m in COMMITTEE)


def test_a_step_nobody_holds_goes_to_its_fallback_and_its_signer_cannot_take_the_next_step(
        users, communities, api_for, second_reviewer):
    RoleMembership.objects.filter(user=users["heping_secretary"], role=Role.COMMUNITY_SECRETARY).delete()
    reviewer = users["shaping_reviewer"]
    ticket = file(users, communities, steps=["review", "desk"])
    reassigned = history(ticket, action="reassign")
    assert [(r.step, r.detail["to_role"]) for r in reassigned] == [("review", Role.STREET_REVIEWER)]
    assert post(api_for(reviewer), task_id(api_for(reviewer), ticket), "approve").status_code == 200

    desk = desk_task(ticket)
    # Same person on two consecutive steps: the queue lets her see it, the rule stops her.
    response = post(api_for(reviewer), desk.task_id, "reply", {"text": "我来答"})
    assert response.status_code == 400 and "task" in response.json()
    assert reload(ticket).answer == "" and "reply" not in actions_of(ticket)
    assert post(api_for(second_reviewer), desk.task_id, "reply", {"text": "我来答"}).status_code == 200
    assert reload(ticket).state == TicketState.APPROVED


def test_a_countersign_fails_as_soon_as_a_majority_is_impossible(users, communities, api_for):
    ticket = file(users, communities)
    secretary = api_for(users["heping_secretary"])
    assert post(secretary, task_id(secretary, ticket), "approve").status_code == 200
    for member in COMMITTEE[:2]:
        api = api_for(users[member])
        assert post(api, task_id(api, ticket), "reject", {"comment": "不同意"}).status_code == 200

    ticket = reload(ticket)
    assert ticket.state == TicketState.REJECTED
    assert open_tasks(ticket) == [] and listed(api_for(users[COMMITTEE[2]]), ticket) == []
    failed = history(ticket, action="step_failed")
    assert [(r.step, r.detail) for r in failed] == [
        ("committee", {"voters": 3, "needed": 2, "approve": 0, "reject": 2})]
    assert "request.rejected" in notified(users["heping_staff"], ticket)


# --- deadlines and the timer --------------------------------------------------------------------


def _file_on_monday(users, communities) -> Ticket:
    with time_machine.travel(FILED, tick=False):
        return file(users, communities)


def _sweep_at(moment) -> None:
    with time_machine.travel(moment, tick=False):
        call_command("approval_deadlines")


def test_the_review_is_due_three_working_days_after_it_was_created(users, communities):
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)
    entry = RouteTask.objects.get(task_id=review.pk)
    assert entry.due_at == DUE and entry.timeout_action == "escalate" and not entry.queue


def test_the_timer_escalates_an_overdue_review_to_the_street_reviewer_as_the_system(users, communities, api_for):
    secretary, reviewer = users["heping_secretary"], users["shaping_reviewer"]
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)

    _sweep_at(DUE - dt.timedelta(minutes=1))
    assert "escalate" not in actions_of(ticket)

    _sweep_at(DUE + dt.timedelta(hours=9))
    task = Task.objects.get(pk=review.pk)
    assert task.status == STATUS.NEW and task.owner_id == reviewer.pk
    (row,) = history(ticket, action="escalate")
    assert row.actor_id is None and row.step == "review" and row.task_id == review.pk
    assert row.detail == {"to_user": reviewer.pk, "to_role": Role.STREET_REVIEWER, "from_user": secretary.pk}
    assert row.comment  # says which deadline passed
    assert notified(reviewer, ticket).count("task.assigned") == 1
    assert listed(api_for(secretary), ticket) == []
    assert [r["id"] for r in listed(api_for(reviewer), ticket)] == [review.pk]

    rows, notes = HistoryEntry.objects.count(), Notification.objects.count()
    _sweep_at(DUE + dt.timedelta(days=3))
    assert (HistoryEntry.objects.count(), Notification.objects.count()) == (rows, notes)

    # The new holder decides as the secretary would have; the old one cannot any more.
    assert post(api_for(secretary), review.pk, "approve").status_code == 404
    assert post(api_for(reviewer), review.pk, "approve").status_code == 200
    # The secretary did not sign the review, so she has a committee vote this time.
    voters = [secretary, *(users[m] for m in COMMITTEE)]
    assert sorted(t.owner_id for t in open_tasks(ticket)) == sorted(u.pk for u in voters)


def test_an_escalation_with_nobody_to_take_it_writes_nothing_and_is_retried_on_the_next_sweep(
        users, communities, demo):
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)
    membership = RoleMembership.objects.get(user=users["shaping_reviewer"], role=Role.STREET_REVIEWER)
    membership.delete()
    rows, notes = HistoryEntry.objects.count(), Notification.objects.count()
    _sweep_at(DUE + dt.timedelta(hours=9))
    assert (HistoryEntry.objects.count(), Notification.objects.count()) == (rows, notes)
    assert Task.objects.get(pk=review.pk).owner_id == users["heping_secretary"].pk
    assert RouteTask.objects.get(task_id=review.pk).timed_out_at is None

    RoleMembership.objects.create(user=users["shaping_reviewer"], role=Role.STREET_REVIEWER, org_unit=demo["street"])
    _sweep_at(DUE + dt.timedelta(hours=10))
    assert Task.objects.get(pk=review.pk).owner_id == users["shaping_reviewer"].pk
    assert len(history(ticket, action="escalate")) == 1


def test_the_old_holder_is_told_that_the_timer_escalated_her_task(users, communities):
    ticket = _file_on_monday(users, communities)
    _sweep_at(DUE + dt.timedelta(hours=9))
    assert len(notified(users["heping_secretary"], ticket)) == 2  # assigned, then escalated


def test_the_timers_row_and_a_persons_row_have_the_same_shape(users, communities, api_for):
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)
    _sweep_at(DUE + dt.timedelta(hours=9))
    assert post(api_for(users["shaping_reviewer"]), review.pk, "approve", {"comment": "同意"}).status_code == 200

    timer, person = history(ticket, task_id=review.pk)
    assert (timer.action, person.action) == ("escalate", "approve")
    assert timer.actor_id is None and person.actor_id == users["shaping_reviewer"].pk
    shared = ("process_kind", "process_id", "step", "task_id", "round", "form_version", "policy_version")
    assert [getattr(timer, f) for f in shared] == [getattr(person, f) for f in shared]
    for row in (timer, person):
        assert row.state_before == TicketState.PENDING and row.state_after == TicketState.PENDING
        assert row.comment and row.created_at


def test_a_review_approved_before_its_deadline_is_left_alone_by_the_timer(users, communities, api_for):
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)
    with time_machine.travel(FILED + dt.timedelta(days=1), tick=False):
        assert post(api_for(users["heping_secretary"]), review.pk, "approve").status_code == 200
    assert RouteTask.objects.get(task_id=review.pk).closed_at is not None

    rows = HistoryEntry.objects.count()
    with time_machine.travel(DUE + dt.timedelta(days=1), tick=False):
        assert engine.deadlines_sweep() == {"timeouts": 0, "reminders": 0}
    assert HistoryEntry.objects.count() == rows
    assert Task.objects.get(pk=review.pk).status == STATUS.DONE


def test_a_reminder_fires_a_working_day_before_the_last_day_as_the_system(users, communities):
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)
    (reminder,) = deadlines.reminders_for(REVIEW_DEADLINE, FILED)
    assert RouteTask.objects.get(task_id=review.pk).remind_at == reminder

    with time_machine.travel(reminder - dt.timedelta(minutes=1), tick=False):
        assert engine.deadlines_sweep() == {"timeouts": 0, "reminders": 0}
    with time_machine.travel(reminder + dt.timedelta(minutes=1), tick=False):
        assert engine.deadlines_sweep() == {"timeouts": 0, "reminders": 1}
        assert engine.deadlines_sweep() == {"timeouts": 0, "reminders": 0}
    (row,) = history(ticket, action="remind")
    assert row.actor_id is None and row.step == "review" and row.task_id == review.pk
    assert RouteTask.objects.get(task_id=review.pk).remind_at is None
    assert Task.objects.get(pk=review.pk).owner_id == users["heping_secretary"].pk


def test_the_deadline_rules_schedule_the_declared_reminder():
    reminders = deadlines.reminders_for(REVIEW_DEADLINE, FILED)
    assert len(reminders) == 1 and FILED < reminders[0] < DUE


def test_the_holder_is_notified_of_a_reminder(users, communities):
    ticket = _file_on_monday(users, communities)
    (reminder,) = deadlines.reminders_for(REVIEW_DEADLINE, FILED)
    with time_machine.travel(reminder + dt.timedelta(minutes=1), tick=False):
        engine.deadlines_sweep()
    assert len(notified(users["heping_secretary"], ticket)) == 2  # assigned, then the reminder


# --- lock order: a person and the timer at the same moment (PostgreSQL) ---------------------------

live = pytest.mark.skipif(connection.vendor != "postgresql",
                          reason="row locks between concurrent transactions need PostgreSQL; SQLite serialises "
                                 "every write at BEGIN IMMEDIATE")


@pytest.fixture
def live_demo(transactional_db):
    return load_demo(DEMO_TEST_PASSWORD)


def _person_and_timer(live_demo, api_for, monkeypatch, *, person_locks_after=None):
    """The secretary's approval and the sweep in two threads, each on its own connection,
    started together at a barrier.

    `person_locks_after`: an Event the person's thread waits for between reading her task and
    locking it, to fix the interleaving "the timer commits while the person is on her way"."""
    users, communities = live_demo["users"], live_demo["communities"]
    ticket = _file_on_monday(users, communities)
    (review,) = open_tasks(ticket)
    barrier = threading.Barrier(2)
    results = {}
    real_lock = engine._lock

    def gated_lock(kind, task, **kwargs):
        if person_locks_after is not None and threading.current_thread().name == "person":
            assert person_locks_after.wait(timeout=30)
        return real_lock(kind, task, **kwargs)

    monkeypatch.setattr(engine, "_lock", gated_lock)

    def person():
        try:
            api = api_for(users["heping_secretary"])
            barrier.wait(timeout=10)
            results["person"] = post(api, review.pk, "approve", {"comment": "同意"}).status_code
        finally:
            connections.close_all()

    def timer():
        try:
            barrier.wait(timeout=10)
            results["timer"] = engine.deadlines_sweep(now=DUE + dt.timedelta(hours=9))
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results["timer"] = exc
        finally:
            if person_locks_after is not None:
                person_locks_after.set()
            connections.close_all()

    threads = [threading.Thread(target=person, name="person"), threading.Thread(target=timer, name="timer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting on a lock"
    return ticket, review, results


def _exactly_one_won(ticket, review, results) -> None:
    approved, escalated = history(ticket, action="approve"), history(ticket, action="escalate")
    assert len(approved) + len(escalated) == 1, (results, actions_of(ticket))
    assert isinstance(results["timer"], dict), results
    task = Task.objects.get(pk=review.pk)
    if approved:
        assert results["person"] == 200 and results["timer"]["timeouts"] == 0
        assert task.status == STATUS.DONE
    else:
        # The person lost: her task is finished (409) or no longer hers (404), never a 500.
        assert results["person"] in (404, 409) and results["timer"]["timeouts"] == 1
        assert task.status == STATUS.NEW and task.owner_id == escalated[0].detail["to_user"]



@live
@pytest.mark.django_db(transaction=True)
# Whether the threads meet in the losing interleaving depends on the scheduler; the test below
# fixes that interleaving.
def test_a_person_approving_as_the_timer_escalates_ends_with_exactly_one_of_them(live_demo, api_for, monkeypatch):
    _exactly_one_won(*_person_and_timer(live_demo, api_for, monkeypatch))


@live
@pytest.mark.django_db(transaction=True)
def test_a_person_who_read_her_task_before_the_timer_escalated_it_cannot_approve_it(
        live_demo, api_for, monkeypatch):
    _exactly_one_won(*_person_and_timer(live_demo, api_for, monkeypatch, person_locks_after=threading.Event()))
