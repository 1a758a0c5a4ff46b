"""The fast path writes exactly the rows viewflow's own path writes.

Every tier of the authority table (and a sequential three-step route, the fast path's best case)
runs twice through the real services: once with the fast path off, once with it on. After every
step, the task rows (node, type, status, token, owner, data, which times are set, links), the
process (status, route state), the history and the notifications must be the same, with ids
mapped to their order of creation.
"""

import re

import pytest
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from notifications.models import Notification
from tests.expenses_tests.helpers import file, task_of
from workflows.approvals import fastpath
from workflows.approvals import services as approvals
from workflows.approvals.models import HistoryEntry
from workflows.expenses import services as expense_services
from workflows.expenses.models import ExpenseRequest
from workflows.expenses.process import KIND

SIGNERS = {
    "800.00": ["heping_secretary"],
    "3000.00": ["heping_secretary", "heping_committee1", "heping_committee2"],
    "8000.00": ["heping_secretary", "heping_committee1", "heping_committee2", "shaping_reviewer"],
    "50000.00": ["heping_secretary", "heping_committee1", "heping_committee2", "shaping_reviewer", "shaping_leader"],
}
# A route of sequential steps only: every action but none goes through the fast path.
SEQUENTIAL = ["heping_secretary", "shaping_reviewer", "shaping_leader"]


@pytest.fixture
def sequential_policy(users, demo):
    """A policy version whose daily-operations rows route secretary → street reviewer → street leader."""
    from workflows.expenses.demo import DEMO_POLICY_V1

    rows = [{"category": "daily_operations", "amount_above": "0", "amount_upto": None,
             "steps": ["community_secretary", "street_reviewer", "street_leader"]}, *DEMO_POLICY_V1]
    expense_services.policy_create_version(actor=users["admin"], street=demo["street"],
                                           effective_from=timezone.localdate(), rows=rows)


def _snapshot(request) -> dict:
    request = ExpenseRequest.objects.get(pk=request.pk)
    processes = list(Process.objects.filter(expense_request=request).order_by("id")) or []
    process_ids = sorted({h for h in Task.objects.filter(process__expense_request=request).values_list("process_id", flat=True)})
    process_ids = sorted(set(process_ids) | {p.pk for p in processes} | ({request.process_id} if request.process_id else set()))
    tasks = list(Task.objects.filter(process_id__in=process_ids).order_by("id"))
    order = {t.pk: i for i, t in enumerate(tasks)}
    links = Task.previous.through.objects.filter(from_task_id__in=order).values_list("from_task_id", "to_task_id")
    previous: dict[int, list[int]] = {}
    for a, b in links:
        previous.setdefault(order[a], []).append(order[b])
    def token(value) -> str:
        # A split's branches carry the split task's id in their token ("start/40_1").
        return re.sub(r"/(\d+)_", lambda m: f"/#{order.get(int(m.group(1)))}_", str(value))

    task_rows = [
        (t.flow_task.name, t.flow_task_type, t.status, token(t.token), t.owner_id, t.data,
         t.created is not None, t.assigned is not None, t.started is not None, t.finished is not None,
         sorted(previous.get(order[t.pk], [])))
        for t in tasks
    ]
    process_rows = []
    for p in Process.objects.filter(pk__in=process_ids).order_by("id"):
        data = {k: v for k, v in p.data.items() if k not in ("filed_at", "object_id")}
        process_rows.append((p.status, p.finished is not None, data))
    history = [
        (h.action, h.actor_id, h.comment, h.state_before, h.state_after, h.step,
         order.get(h.task_id), h.round, h.form_version, h.policy_version, h.detail)
        for h in HistoryEntry.objects.filter(process_kind=KIND, process_id=request.pk).order_by("id")
    ]
    notes = [
        (n.recipient_id, n.kind, {k: v for k, v in n.params.items() if k != "process_id"}, n.url.replace(str(request.pk), "ID"))
        for n in Notification.objects.filter(params__process_kind=KIND, params__process_id=request.pk).order_by("id")
    ]
    return {"state": request.state, "tasks": task_rows, "processes": process_rows, "history": history,
            "notifications": notes}


def _run(users, communities, monkeypatch, *, fast: bool, amount: str, signers: list[str], reject_at: int | None,
         category: str = "utilities") -> list[dict]:
    monkeypatch.setattr(fastpath, "enabled", lambda: fast)
    request = file(users, communities, amount=amount, category=category)
    snapshots = [_snapshot(request)]
    for i, who in enumerate(signers):
        decision = "reject" if i == reject_at else "approve"
        approvals.task_act(actor=users[who], task_id=task_of(request, users[who]).pk, action=decision, comment=f"{who} {decision}")
        snapshots.append(_snapshot(request))
        if decision == "reject":
            break
    return snapshots


def _same(slow: list[dict], fast: list[dict]) -> None:
    assert len(slow) == len(fast)
    for step, (a, b) in enumerate(zip(slow, fast, strict=True)):
        for table in a:
            if table in ("tasks", "history", "notifications"):
                assert len(a[table]) == len(b[table]), f"step {step}: {table} count differs"
                for i, (x, y) in enumerate(zip(a[table], b[table], strict=True)):
                    assert x == y, f"step {step}: {table} row {i} differs"
            else:
                assert a[table] == b[table], f"step {step}: {table} differs"


CASES = [(amount, None) for amount in SIGNERS] + [
    ("800.00", 0), ("8000.00", 3), ("50000.00", 3), ("50000.00", 4),
]


@pytest.mark.parametrize(("amount", "reject_at"), CASES)
def test_both_paths_write_the_same_rows_after_every_step_of_every_tier(users, communities, monkeypatch, amount, reject_at):
    slow = _run(users, communities, monkeypatch, fast=False, amount=amount, signers=SIGNERS[amount], reject_at=reject_at)
    fast = _run(users, communities, monkeypatch, fast=True, amount=amount, signers=SIGNERS[amount], reject_at=reject_at)
    _same(slow, fast)
    assert slow[-1]["state"] == ("rejected" if reject_at is not None else "approved")


@pytest.mark.parametrize("reject_at", [None, 0, 1, 2])
def test_a_sequential_route_writes_the_same_rows_through_both_paths(users, communities, monkeypatch, sequential_policy,
                                                                    reject_at):
    kwargs = {"amount": "6000.00", "signers": SEQUENTIAL, "reject_at": reject_at, "category": "daily_operations"}
    slow = _run(users, communities, monkeypatch, fast=False, **kwargs)
    fast = _run(users, communities, monkeypatch, fast=True, **kwargs)
    _same(slow, fast)
    assert [t[0] for t in fast[-1]["tasks"]][:3] == ["start", "route_start", "secretary"]


def test_the_fast_path_is_taken_for_sequential_steps_and_not_for_a_countersign(users, communities, monkeypatch,
                                                                               sequential_policy):
    taken = []
    original = fastpath.complete
    monkeypatch.setattr(fastpath, "complete", lambda *a, **k: (taken.append(a[0].task.data["step"]), original(*a, **k)))
    request = file(users, communities, amount="6000.00", category="daily_operations")
    for who in SEQUENTIAL:
        approvals.task_act(actor=users[who], task_id=task_of(request, users[who]).pk, action="approve")
    assert taken == ["community_secretary", "street_reviewer", "street_leader"]
    taken.clear()
    request = file(users, communities, amount="3000.00")
    for who in SIGNERS["3000.00"]:
        approvals.task_act(actor=users[who], task_id=task_of(request, users[who]).pk, action="approve")
    assert taken == []  # secretary → countersign and the votes keep viewflow's path


def test_a_lost_race_on_the_fast_path_is_a_409_and_writes_nothing(users, communities, monkeypatch, sequential_policy):
    from workflows.approvals.errors import StaleState

    request = file(users, communities, amount="6000.00", category="daily_operations")
    task = task_of(request, users["heping_secretary"])
    before = (Task.objects.count(), HistoryEntry.objects.count(), Notification.objects.count())
    # Another action finished the task after it was read and before the fast path's UPDATE.
    original = fastpath._write

    def finished_meanwhile(task, *args, **kwargs):
        Task.objects.filter(pk=task.pk).update(status="DONE")
        return original(task, *args, **kwargs)

    monkeypatch.setattr(fastpath, "_write", finished_meanwhile)
    with pytest.raises(StaleState):
        approvals.task_act(actor=users["heping_secretary"], task_id=task.pk, action="approve")
    assert (Task.objects.count(), HistoryEntry.objects.count(), Notification.objects.count()) == before
    assert Task.objects.get(pk=task.pk).status == "NEW"
