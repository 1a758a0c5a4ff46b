"""Reads of the shared approval pages and API, scoped to the user."""

from django.db.models import Max
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import actions, registry
from workflows.approvals.models import HistoryEntry


def _flows() -> list[type]:
    return [kind.flow_class for kind in registry.all_kinds()]


def open_tasks_for_user(*, user) -> list[dict]:
    """Open tasks the user can act on, across every registered process kind, oldest first."""
    if not user.is_authenticated:
        return []
    tasks = list(
        Task.objects.filter(owner_id=user.pk, status=STATUS.NEW, process__flow_class__in=_flows())
        .select_related("process", "owner")
        .order_by("created", "id")
    )
    by_kind: dict[str, list[Task]] = {}
    for task in tasks:
        kind = registry.kind_for_flow(task.process.flow_class)
        if kind is not None:
            by_kind.setdefault(kind.kind, []).append(task)
    rows = []
    for kind_code, kind_tasks in by_kind.items():
        kind = registry.get(kind_code)
        objects = kind.objects_for_processes([t.process_id for t in kind_tasks])
        for task in kind_tasks:
            obj = objects.get(task.process_id)
            if obj is None:
                continue
            rows.append({"task": task, "kind": kind, "object": obj, "title": kind.title(obj), "url": kind.url(obj),
                         "step": task.data.get("step", ""), "step_label": kind.step_label(task.data.get("step", ""))})
    rows.sort(key=lambda r: (r["task"].created, r["task"].pk))
    return rows


def open_task_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Task.objects.filter(owner_id=user.pk, status=STATUS.NEW, process__flow_class__in=_flows()).count()


def _objects(pairs: list[tuple[str, int]]) -> list[tuple[registry.ProcessKind, object]]:
    by_kind: dict[str, list[int]] = {}
    for kind, pk in pairs:
        by_kind.setdefault(kind, []).append(pk)
    found = {}
    for kind_code, ids in by_kind.items():
        try:
            kind = registry.get(kind_code)
        except KeyError:
            continue
        if kind.objects_by_ids is None:
            continue
        for pk, obj in kind.objects_by_ids(ids).items():
            found[(kind_code, pk)] = (kind, obj)
    return [found[p] for p in pairs if p in found]


def submitted_by_user(*, user) -> list[tuple[registry.ProcessKind, object]]:
    rows = []
    for kind in registry.all_kinds():
        if kind.submitted_by is not None:
            rows.extend((kind, obj) for obj in kind.submitted_by(user)[:200])
    return rows


def copied_to_user(*, user) -> list[tuple[registry.ProcessKind, object]]:
    rows = []
    for kind in registry.all_kinds():
        if kind.copied_to is not None:
            rows.extend((kind, obj) for obj in kind.copied_to(user)[:200])
    return rows


def decided_by_user(*, user, limit: int = 200) -> list[tuple[registry.ProcessKind, object]]:
    """已办: processes the user decided on, most recent decision first."""
    if not user.is_authenticated:
        return []
    latest = (
        HistoryEntry.objects.filter(actor=user, action__in=actions.decision_codes())
        .values("process_kind", "process_id")
        .annotate(last=Max("created_at"))
        .order_by("-last")[:limit]
    )
    return _objects([(row["process_kind"], row["process_id"]) for row in latest])
