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

from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.limits import json_loads
from project.params import parse_id
from workflows.approvals import actions, registry
from workflows.approvals.deadlines import is_overdue
from workflows.approvals.models import Delegation, HistoryEntry, RouteTask
from workflows.org.models import RoleMembership, User
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role
from workflows.org.selectors import memberships_of

PAGE_SIZE = 50
# A page number far beyond any real list; also keeps the SQL offset inside SQLite's integer.
MAX_PAGE = 10_000


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


@dataclass(frozen=True)
class Search:
    """What a list is searched by: words in the declared fields, a date range (inclusive, local
    days), and whether the process is still on its route."""

    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = ""  # "", "open" (still on its route) or "closed"

    def __bool__(self) -> bool:
        return bool(self.text or self.date_from or self.date_to or self.status)


MAX_SEARCH_TEXT = 100


def parse_search(params) -> tuple[Search, dict[str, list[str]]]:
    """A Search from query parameters (q, date_from, date_to, status), and the errors of the bad
    ones by field: the API answers 400 with them, the pages show them beside their fields."""
    errors: dict[str, list[str]] = {}
    text = (params.get("q") or "").strip()
    if len(text) > MAX_SEARCH_TEXT:
        errors["q"] = [str(_("At most %(n)s characters.") % {"n": MAX_SEARCH_TEXT})]
    dates = {}
    for name in ("date_from", "date_to"):
        raw = params.get(name) or ""
        try:
            dates[name] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = [str(_("Enter a date as YYYY-MM-DD."))]
            dates[name] = None
    if dates.get("date_from") and dates.get("date_to") and dates["date_to"] < dates["date_from"]:
        errors["date_to"] = [str(_("The end comes before the start."))]
    status = params.get("status") or ""
    if status not in ("", "open", "closed"):
        errors["status"] = [str(_("Choose open or closed."))]
        status = ""
    return Search(text=text if "q" not in errors else "", status=status, **dates), errors


def apply_search(kind: registry.ProcessKind, qs, search: Search):
    """Narrow one kind's queryset by a Search: words over the kind's declared search fields."""
    if search.text:
        words = Q()
        for name in kind.search_fields:
            words |= Q(**{f"{name}__icontains": search.text})
        if search.text.isdigit():
            words |= Q(pk=int(search.text[:18]))
        qs = qs.filter(words) if words else qs.none()
    if search.date_from:
        qs = qs.filter(created_at__date__gte=search.date_from)
    if search.date_to:
        qs = qs.filter(created_at__date__lte=search.date_to)
    if search.status == "open":
        qs = qs.filter(state__in=kind.open_states)
    elif search.status == "closed":
        qs = qs.exclude(state__in=kind.open_states)
    return qs


def encode_cursor(created: dt.datetime, pk: int) -> str:
    raw = json.dumps([created.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_cursor(raw) -> tuple[dt.datetime, int] | None:
    """The (created, id) a cursor stands for; the text is opaque to clients (it may change)."""
    if raw in (None, ""):
        return None
    try:
        text = str(raw)
        created, pk = json_loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
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
    held = Q(Exists(holds))
    # Queues that further roles share (StepDef.queue_roles): one more EXISTS per such step, from
    # the declarations, so still no query of its own.
    for declared in registry.all_kinds():
        for step in declared.steps:
            if step.queue_roles:
                shared = RoleMembership.objects.filter(user_id=user.pk, role__in=step.queue_roles,
                                                       org_unit_id=OuterRef("org_unit_id"))
                held |= Q(process_kind=declared.kind, step=step.code) & Q(Exists(shared))
    queued = RouteTask.objects.filter(queue=True, closed_at__isnull=True).filter(held).values("task_id")
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
    units = {m.org_unit_id: m.org_unit for m in memberships_of(user)} if any(
        t.owner_id is None for t in tasks) else {}
    by_kind: dict[str, list[Task]] = {}
    for task in tasks:
        kind = registry.kind_for_flow(task.process.flow_class)
        if kind is not None:
            by_kind.setdefault(kind.kind, []).append(task)
    objects = {code: registry.get(code).objects_for_processes([t.process_id for t in ts]) for code, ts in by_kind.items()}
    now = timezone.now()
    people = task_people(tasks)
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
        queued = task.owner_id is None and entry is not None and entry.queue
        codes = actions.task_codes(kind.step_actions(step), queued=queued, engine=not kind.step_restricted(step))
        if queued:
            unit = units.get(entry.org_unit_id)
            queue = {"role": entry.role, "role_label": _role_label(entry.role),
                     "org_unit": {"id": entry.org_unit_id, "name": unit.name if unit else ""}}
        rows.append({
            "task": task, "kind": kind, "object": obj, "title": kind.title(obj), "url": kind.url(obj),
            "step": step, "step_label": kind.step_label(step),
            "due_at": due_at, "due_provisional": provisional, "overdue": is_overdue(due_at, now),
            "queue": queue,
            **people[task.pk],
            "actions": [{"code": c, "label": actions.label(c, kind.kind)} for c in codes
                        if actions.get(c, kind.kind) is not None],
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


def _merged(user, source: str, *, kind: str | None, page: int, page_size: int | None,
            open_only: bool = False, search: Search | None = None) -> Page:
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
        if open_only:
            qs = qs.filter(state__in=k.open_states)
        if search:
            qs = apply_search(k, qs, search)
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


def submitted_by_user(*, user, kind: str | None = None, page: int = 1, page_size: int | None = None,
                      search: Search | None = None) -> Page:
    return _merged(user, "submitted_by", kind=kind, page=page, page_size=page_size, search=search)


def still_moving_for_user(*, user, page_size: int = 5) -> Page:
    """What the user filed that is still on its route, newest first (the home page)."""
    return _merged(user, "submitted_by", kind=None, page=1, page_size=page_size, open_only=True)


def copied_to_user(*, user, kind: str | None = None, page: int = 1, page_size: int | None = None,
                   search: Search | None = None) -> Page:
    return _merged(user, "copied_to", kind=kind, page=page, page_size=page_size, search=search)


def decided_by_user(*, user, limit: int = 200, search: Search | None = None) -> list[tuple[registry.ProcessKind, object]]:
    """已办: processes the user decided on, most recent decision first. A search's dates are
    those of the decisions; its words and status narrow the processes."""
    if not user.is_authenticated:
        return []
    rows = HistoryEntry.objects.filter(actor=user, action__in=actions.decision_codes())
    if search:
        if search.date_from:
            rows = rows.filter(created_at__date__gte=search.date_from)
        if search.date_to:
            rows = rows.filter(created_at__date__lte=search.date_to)
        if search.text or search.status:
            words = Search(text=search.text, status=search.status)
            matching = Q()
            for k in registry.all_kinds():
                ids = apply_search(k, k.model.objects.all(), words).values("pk")
                matching |= Q(process_kind=k.kind, process_id__in=ids)
            rows = rows.filter(matching)
    latest = (
        rows
        .values("process_kind", "process_id")
        .annotate(last=Max("created_at"))
        .order_by("-last")[:limit]
    )
    return _objects([(row["process_kind"], row["process_id"]) for row in latest])


def kind_choices() -> list[dict[str, Any]]:
    """The kind filter on the pages: every registered kind with its label."""
    return [{"code": k.kind, "label": k.label} for k in registry.all_kinds()]


# --- delegation (代理) ---------------------------------------------------------------------------

# A street task may go to a deputy holding either street signing role; a community task only to
# a deputy holding the very same role in the same community.
_STREET_SIGNERS = (Role.STREET_LEADER.value, Role.STREET_REVIEWER.value)


def holders_with_deputies(*, role: str, org_unit_id: int, on: dt.date) -> list[tuple[int, int | None]]:
    """(holder id, deputy id or None) for every active holder of `role` in the unit, in id order:
    the deputy of a holder who delegated for day `on` to someone allowed to act for that role.

    One statement, as the plain holder list was: the assignment of every step asks it.
    """
    q = connection.ops.quote_name
    users, members, delegations = q(User._meta.db_table), q(RoleMembership._meta.db_table), q(Delegation._meta.db_table)
    roles = _STREET_SIGNERS if role in STREET_ROLES and role in _STREET_SIGNERS else (role,)
    marks = ", ".join(["%s"] * len(roles))
    sql = (
        f"SELECT DISTINCT u.id, (SELECT d.deputy_id FROM {delegations} d JOIN {users} du ON du.id = d.deputy_id "
        "WHERE d.delegator_id = u.id AND d.ended_at IS NULL AND d.starts_on <= %s AND d.ends_on >= %s AND du.is_active "
        f"AND EXISTS (SELECT 1 FROM {members} dm WHERE dm.user_id = d.deputy_id AND dm.org_unit_id = %s "
        f"AND dm.role IN ({marks})) ORDER BY d.id LIMIT 1) "
        f"FROM {users} u JOIN {members} m ON m.user_id = u.id "
        "WHERE u.is_active AND m.role = %s AND m.org_unit_id = %s ORDER BY u.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, on, org_unit_id, *roles, role, org_unit_id])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def deputy_candidates(*, user) -> list[User]:
    """Who the user may name as deputy: holders of one of their signing roles in the same unit
    (for a street signing role, either street signing role there)."""
    if not user.is_authenticated:
        return []
    mine = [m for m in memberships_of(user) if m.role in COMMUNITY_WORK_ROLES or m.role in _STREET_SIGNERS]
    if not mine:
        return []
    match = Q()
    for m in mine:
        roles = _STREET_SIGNERS if m.role in _STREET_SIGNERS else (m.role,)
        match |= Q(memberships__org_unit_id=m.org_unit_id, memberships__role__in=roles)
    return list(User.objects.filter(is_active=True).filter(match).exclude(pk=user.pk).distinct().order_by("id"))


def delegations_of(*, user):
    """The delegations a user gave or holds, newest first (their own page and API)."""
    if not user.is_authenticated:
        return Delegation.objects.none()
    return Delegation.objects.filter(Q(delegator=user) | Q(deputy=user)).select_related("delegator", "deputy")


def delegation_get_for_user(*, user, pk) -> Delegation:
    """One of the user's delegations; anyone else's is a 404."""
    from django.http import Http404

    pk = parse_id(pk)
    found = delegations_of(user=user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def done_on_behalf_of(*, user, limit: int = 200) -> list[HistoryEntry]:
    """What deputies did in the user's name, newest first."""
    if not user.is_authenticated:
        return []
    deputies = Delegation.objects.filter(delegator=user).values("deputy_id")
    rows = list(HistoryEntry.objects.filter(actor_id__in=deputies, detail__on_behalf_of=user.pk)
                .select_related("actor").order_by("-created_at", "-id")[:limit])
    for row in rows:
        try:
            row.kind_label = registry.get(row.process_kind).label
        except KeyError:
            row.kind_label = row.process_kind
    return rows


# --- 加签: who may be added, and who waits on a task -------------------------------------------


def signer_candidates(*, task, community_id: int, street_id: int, submitter_id: int) -> list[User]:
    """People the holder of `task` may add as signers: the work roles of the process's
    community and the street's signing roles (those who may see it), less the holder, the
    submitter and anyone already waiting on the task."""
    taken = {task.owner_id, submitter_id, *(task.data.get("signers") or [])}
    return list(User.objects.filter(is_active=True).filter(
        Q(memberships__org_unit_id=community_id, memberships__role__in=COMMUNITY_WORK_ROLES)
        | Q(memberships__org_unit_id=street_id, memberships__role__in=_STREET_SIGNERS))
        .exclude(pk__in=[i for i in taken if i]).distinct().order_by("id"))


def task_people(tasks) -> dict[int, dict]:
    """Per task: who still signs after the holder (加签) and whose deputy holds it (代理), with
    names, in one query for the whole list."""
    ids = {i for t in tasks for i in (t.data.get("signers") or [])} | {
        t.data["on_behalf_of"] for t in tasks if t.data.get("on_behalf_of")}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)} if ids else {}
    return {
        t.pk: {
            "signers": [{"id": i, "name": names.get(i, "")} for i in (t.data.get("signers") or [])],
            "on_behalf_of": ({"id": t.data["on_behalf_of"], "name": names.get(t.data["on_behalf_of"], "")}
                             if t.data.get("on_behalf_of") else None),
        }
        for t in tasks
    }


# --- the home page -----------------------------------------------------------------------------

HOME_ROWS = 5


def home_context(user) -> dict | None:
    """The home page's approvals section: the first open tasks and what the user filed that is
    still moving; None when there is neither."""
    if not user.is_authenticated:
        return None
    tasks = open_tasks_for_user(user=user)
    moving = still_moving_for_user(user=user, page_size=HOME_ROWS)
    if not tasks.count and not moving.count:
        return None
    return {
        "tasks": tasks.rows[:HOME_ROWS], "task_count": tasks.count,
        "moving": [{"kind": k, "object": o, "title": k.title(o), "url": k.url(o), "state": k.state_label(o)}
                   for k, o in moving.rows],
        "moving_count": moving.count,
    }
