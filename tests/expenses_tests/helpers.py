"""Small helpers for expense tests: file a request and act on the open tasks through services."""

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import services as approvals
from workflows.approvals.models import HistoryEntry
from workflows.expenses import services
from workflows.expenses.models import ExpenseRequest


def file(users, communities, *, by="heping_staff", community="heping", amount="3000.00", category="utilities", cc=()):
    return services.expense_create(
        actor=users[by], community=communities[community], amount=amount, category=category,
        payee="鹤山市供电局", purpose="党群服务中心电费", cc=cc,
    )


def open_tasks(request) -> list[Task]:
    request = ExpenseRequest.objects.get(pk=request.pk)
    return list(Task.objects.filter(process_id=request.process_id, status=STATUS.NEW).select_related("owner").order_by("id"))


def task_of(request, user) -> Task:
    tasks = [t for t in open_tasks(request) if t.owner_id == user.pk]
    assert tasks, f"{user} has no open task on request {request.pk}: {[str(t.owner) for t in open_tasks(request)]}"
    return tasks[0]


def act(request, user, action="approve", **fields):
    approvals.task_act(actor=user, task_id=task_of(request, user).pk, action=action, **fields)
    return ExpenseRequest.objects.get(pk=request.pk)


def actions(request) -> list[str]:
    return list(HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk).order_by("id").values_list("action", flat=True))


def history(request, action):
    return list(HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk, action=action).order_by("id"))
