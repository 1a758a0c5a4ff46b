"""Reads of the shared approval pages and API, scoped to the user.

The inbox (待办) holds two kinds of task: those a person owns (viewflow's `owner`), and the
open role-queue tasks (`RouteTask.queue`) of every (role, org unit) the user holds. Both come
from one query, so the list and the nav badge cost the same whatever the number of tasks.
"""

import base64
import binascii
import datetime as dt
import heapq
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.params import parse_id
from workflows.approvals import actions, registry
from workflows.approvals.deadlines import is_overdue
from workflows.approvals.models import HistoryEntry, RouteTask
from workflows.org.models import RoleMembership
from workflows.org.roles import Role
from workflows.org.selectors import memberships_of

PAGE_SIZE = 50
# A page number far beyond any real list; also keeps the SQL offset inside SQLite's integer.
MAX_PAGE = 10_000
# Every open queue task may be acted on directly or claimed first.
CLAIM = "claim"


class BadParam(ValueError):
    """A query parameter that cannot be used; the API answers 400 with `{field: [message]}`."""

    def __init__(self, field: str, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class Page:
    rows: list
    count: int
    page: int | None = None          # None when the page was reached by cursor
    pages: int = 1
    next: int | None = None
    previous: int | None = None
    next_cursor: str | None = None
    kind: str | None = None
    extra: dict = field(default_factory=dict)


# --- parameters -------------------------------------------------------------------------------


def parse_kind(raw) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or raw not in registry._kinds:
        raise BadParam("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(registry._kinds)})
    return raw


def parse_page(raw) -> int:
    if raw in (None, ""):
        return 1
    page = parse_id(raw)
    if page is None or page > MAX_PAGE:
        raise BadParam("page", _("Enter a page number from 1 to %(max)d.") % {"max": MAX_PAGE})
    return page


def encode_cursor(created: dt.datetime, pk: int) -> str:
    raw = json.dumps([created.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_cursor(raw) -> tuple[dt.datetime, int] | None:
    """The (created, id) a cursor stands for; the text is opaque to clients (it may change)."""
    if raw in (None, ""):
        return None
    try:
        text = str(raw)
        created, pk = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        created = dt.datetime.fromisoformat(created)
        pk = parse_id(pk)
        if pk is None or timezone.is_naive(created):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise BadParam("cursor", _("This cursor is not valid; start again from the first page.")) from None
    return created, pk


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))


# --- 待办: open tasks ----------------------------------------------------------------------------


def _flows(kind: str | None = None) -> list[type]:
    kinds = [registry.get(kind)] if kind else registry.all_kinds()
    return [k.flow_class for k in kinds]


def _open_tasks(user, kind: str | None = None):
    """Tasks the user owns, and open queue tasks of a role the user holds: one queryset.

    The queue test is a subquery over RoleMembership rather than a list of the user's
    memberships, so it costs no query of its own (the nav badge adds exactly one per page).
    """
    holds = RoleMembership.objects.filter(user_id=user.pk, role=OuterRef("role"), org_unit_id=OuterRef("org_unit_id"))
    queued = RouteTask.objects.filter(queue=True, closed_at__isnull=True).filter(Exists(holds)).values("task_id")
    return Task.objects.filter(status=STATUS.NEW, process__flow_class__in=_flows(kind)).filter(
        Q(owner_id=user.pk) | Q(owner_id__isnull=True, pk__in=queued)
    )


def _due(task: Task, entry: RouteTask | None) -> tuple[dt.datetime | None, bool]:
    if entry is not None:
        return entry.due_at, entry.due_provisional
    raw = task.data.get("due_at") if isinstance(task.data, dict) else None
    if not raw:
        return None, False
    try:
        due = dt.datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return None, False
    return (due if timezone.is_aware(due) else timezone.make_aware(due)), bool(task.data.get("due_provisional"))


def _rows(user, tasks: list[Task]) -> list[dict]:
    """Inbox rows for a page of tasks: one RouteTask query and one query per kind on the page."""
    entries = RouteTask.objects.in_bulk([t.pk for t in tasks]) if tasks else {}
    units = {(m.role, m.org_unit_id): m.org_unit for m in memberships_of(user)} if any(
        t.owner_id is None for t in tasks) else {}
    by_kind: dict[str, list[Task]] = {}
    for task in tasks:
        kind = registry.kind_for_flow(task.process.flow_class)
        if kind is not None:
            by_kind.setdefault(kind.kind, []).append(task)
    objects = {code: registry.get(code).objects_for_processes([t.process_id for t in ts]) for code, ts in by_kind.items()}
    now = timezone.now()
    rows = []
    for task in tasks:
        kind = registry.kind_for_flow(task.process.flow_class)
        obj = objects.get(kind.kind, {}).get(task.process_id) if kind else None
        if obj is None:
            continue
        entry = entries.get(task.pk)
        due_at, provisional = _due(task, entry)
        step = task.data.get("step", "")
        queue = None
        codes = list(kind.step_actions(step))
        if task.owner_id is None and entry is not None and entry.queue:
            unit = units.get((entry.role, entry.org_unit_id))
            queue = {"role": entry.role, "role_label": _role_label(entry.role),
                     "org_unit": {"id": entry.org_unit_id, "name": unit.name if unit else ""}}
            if CLAIM not in codes:
                codes.append(CLAIM)
        rows.append({
            "task": task, "kind": kind, "object": obj, "title": kind.title(obj), "url": kind.url(obj),
            "step": step, "step_label": kind.step_label(step),
            "due_at": due_at, "due_provisional": provisional, "overdue": is_overdue(due_at, now),
            "queue": queue,
            "actions": [{"code": c, "label": actions.label(c)} for c in codes if actions.get(c) is not None],
        })
    return rows


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def open_tasks_for_user(*, user, kind: str | None = None, page: int = 1, cursor: tuple | None = None,
                        page_size: int | None = None) -> Page:
    """Open tasks the user can act on, across every registered process kind, oldest first.

    Paged by number (`page`) or by keyset (`cursor` = the (created, id) of the last row seen,
    which stays correct while tasks come and go between requests).
    """
    page_size = page_size or PAGE_SIZE
    if not user.is_authenticated:
        return Page(rows=[], count=0, page=1, kind=kind)
    qs = _open_tasks(user, kind)
    count = qs.count()
    ordered = qs.select_related("process", "owner").order_by("created", "id")
    if cursor is not None:
        created, pk = cursor
        tasks = list(ordered.filter(Q(created__gt=created) | Q(created=created, pk__gt=pk))[:page_size + 1])
        result = Page(rows=[], count=count, page=None, pages=_pages(count, page_size), kind=kind)
    else:
        offset = (page - 1) * page_size
        tasks = list(ordered[offset:offset + page_size + 1])
        result = Page(rows=[], count=count, page=page, pages=_pages(count, page_size), kind=kind,
                      previous=page - 1 if page > 1 else None)
    more = len(tasks) > page_size
    tasks = tasks[:page_size]
    if more:
        result.next = page + 1 if result.page is not None else None
        result.next_cursor = encode_cursor(tasks[-1].created, tasks[-1].pk)
    result.rows = _rows(user, tasks)
    return result


def open_task_count(*, user) -> int:
    """The nav badge: owned and queued open tasks, in one COUNT query."""
    if not user.is_authenticated:
        return 0
    return _open_tasks(user).count()


# --- 我发起的 / 抄送我的: merged across kinds by date ---------------------------------------------


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
        for pk, obj in kind.objects_by_ids(ids).items():
            found[(kind_code, pk)] = (kind, obj)
    return [found[p] for p in pairs if p in found]


def _merged(user, source: str, *, kind: str | None, page: int, page_size: int | None) -> Page:
    """Newest first across kinds. Each kind gives the (created_at, id) of its first
    page × size + 1 rows, already ordered; heapq.merge interleaves them without a sort, and only
    the page's objects are loaded."""
    page_size = page_size or PAGE_SIZE
    if not user.is_authenticated:
        return Page(rows=[], count=0, page=1, kind=kind)
    kinds = [registry.get(kind)] if kind else registry.all_kinds()
    keep = page * page_size + 1
    streams, count = [], 0
    for k in kinds:
        qs_for = getattr(k, source)
        if qs_for is None:
            continue
        qs = qs_for(user)
        count += qs.count()
        keys = qs.order_by("-created_at", "-pk").values_list("created_at", "pk")[:keep]
        streams.append([(created, pk, k.kind) for created, pk in keys])
    merged = list(heapq.merge(*streams, key=lambda r: (r[0], r[1]), reverse=True))
    start = (page - 1) * page_size
    window = merged[start:start + page_size]
    rows = _objects([(code, pk) for _created, pk, code in window])
    return Page(rows=rows, count=count, page=page, pages=_pages(count, page_size), kind=kind,
                previous=page - 1 if page > 1 else None,
                next=page + 1 if len(merged) > start + page_size else None)


def submitted_by_user(*, user, kind: str | None = None, page: int = 1, page_size: int | None = None) -> Page:
    return _merged(user, "submitted_by", kind=kind, page=page, page_size=page_size)


def copied_to_user(*, user, kind: str | None = None, page: int = 1, page_size: int | None = None) -> Page:
    return _merged(user, "copied_to", kind=kind, page=page, page_size=page_size)


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


def kind_choices() -> list[dict[str, Any]]:
    """The kind filter on the pages: every registered kind with its label."""
    return [{"code": k.kind, "label": k.label} for k in registry.all_kinds()]
