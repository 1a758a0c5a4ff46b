"""Every inquiry read a user can reach, already scoped; and the published answers (public).

Scope: the resident reads her own; the community's secretary, committee and staff read their
community's; street roles read their street's; anyone else — another resident included — gets
the same 404 as for a missing inquiry.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.params import parse_id
from workflows.approvals.models import HistoryEntry, RouteTask
from workflows.inquiries.models import Inquiry, InquiryState
from workflows.inquiries.process import INQUIRY
from workflows.org.models import OrgUnit
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role
from workflows.org.selectors import is_system_admin, memberships_of


def inquiries_for_user(*, user) -> QuerySet[Inquiry]:
    if not user.is_authenticated:
        return Inquiry.objects.none()
    qs = Inquiry.objects.exclude(state=InquiryState.DRAFT).select_related("community", "submitter")
    if is_system_admin(user):
        return qs
    streets = {m.org_unit_id for m in memberships_of(user) if m.org_unit.kind == OrgUnit.Kind.STREET and m.role in STREET_ROLES}
    communities = {m.org_unit_id for m in memberships_of(user)
                   if m.org_unit.kind == OrgUnit.Kind.COMMUNITY and m.role in COMMUNITY_WORK_ROLES}
    return qs.filter(Q(submitter=user) | Q(community_id__in=communities) | Q(community__parent_id__in=streets))


def inquiry_get_for_user(*, user, pk) -> Inquiry:
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    found = inquiries_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def holders_of(inquiries) -> dict[int, dict | None]:
    """Who holds each inquiry now — a person, a role queue, or the resident herself — in three
    queries whatever the number of inquiries (open tasks, their queue rows, the queues' units)."""
    inquiries = list(inquiries)
    running = {i.process_id: i for i in inquiries
               if i.state in (InquiryState.OPEN, InquiryState.ESCALATED) and i.process_id is not None}
    tasks = {}
    if running:
        for task in Task.objects.filter(process_id__in=running, status=STATUS.NEW).select_related("owner").order_by("id"):
            tasks.setdefault(task.process_id, task)
    entries = RouteTask.objects.in_bulk([t.pk for t in tasks.values()]) if tasks else {}
    units = dict(OrgUnit.objects.filter(pk__in={e.org_unit_id for e in entries.values()}).values_list("pk", "name")) \
        if entries else {}
    found = {}
    for inquiry in inquiries:
        found[inquiry.pk] = None
        if inquiry.state == InquiryState.ANSWERED:
            found[inquiry.pk] = {"kind": "resident", "name": str(inquiry.submitter), "due_at": inquiry.resident_due_at}
            continue
        task = tasks.get(inquiry.process_id) if inquiry.process_id in running else None
        if task is None:
            continue
        entry = entries.get(task.pk)
        step = task.data.get("step", "")
        holder = {"step": step, "step_label": INQUIRY.step_label(step), "task_id": task.pk,
                  "due_at": entry.due_at if entry else None}
        if task.owner_id:
            holder.update(kind="person", name=str(task.owner))
        else:
            roles = INQUIRY.queue_holds(step, entry.role) if entry else ()
            unit = units.get(entry.org_unit_id, "") if entry else ""
            holder.update(kind="queue", name=f"{unit} · " + "/".join(str(Role(r).label) for r in roles))
        found[inquiry.pk] = holder
    return found


def holder_of(inquiry: Inquiry) -> dict | None:
    return holders_of([inquiry])[inquiry.pk]


def timeline_of(inquiry: Inquiry) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(process_kind=INQUIRY.kind, process_id=inquiry.pk)
                .select_related("actor").order_by("created_at", "id"))


def open_task_for(*, user, inquiry: Inquiry) -> dict | None:
    """The open task of this inquiry the user may act on (owned, or in a queue she holds)."""
    from workflows.approvals.selectors import open_tasks_for_user

    for row in open_tasks_for_user(user=user, kind=INQUIRY.kind, page_size=500).rows:
        if row["object"].pk == inquiry.pk:
            return row
    return None


# --- public: published answers beside lines and disclosures ------------------------------------------


def published_answers(*, community, line_ids, disclosure_ids) -> dict:
    """{("line", id) | ("disclosure", id) | ("community", id): [answer, ...]} in one query."""
    rows = (Inquiry.objects.filter(community=community, published=True)
            .filter(Q(ledger_line_id__in=line_ids) | Q(disclosure_id__in=disclosure_ids)
                    | Q(ledger_line__isnull=True, disclosure__isnull=True))
            .order_by("published_at", "id")
            .values("id", "ledger_line_id", "disclosure_id", "published_question", "published_answer", "outcome",
                    "published_at"))
    from workflows.inquiries.models import Outcome

    labels = dict(Outcome.choices)
    found: dict = {}
    for row in rows:
        if row["ledger_line_id"]:
            key = ("line", row["ledger_line_id"])
        elif row["disclosure_id"]:
            key = ("disclosure", row["disclosure_id"])
        else:
            key = ("community", community.pk)
        found.setdefault(key, []).append({
            "id": row["id"], "question": row["published_question"], "answer": row["published_answer"],
            "outcome": row["outcome"], "outcome_label": labels.get(row["outcome"], ""),
            "published_at": row["published_at"],
        })
    return found


# --- on time or late: the one definition the lists, the dashboard and the reports share --------------

ON_TIME, LATE, PENDING = "on_time", "late", "pending"
OPEN_STATES = (InquiryState.OPEN, InquiryState.ESCALATED)


def timeliness(now):
    """An annotation: whether an inquiry's answer came on time, late, or is not yet due.

    Late: the deadline passed unanswered and the inquiry went to the street by itself
    (逾期自动上报), or it is still open (with the community or the street) past its current
    deadline, or its answer came after the deadline. An inquiry still open past its deadline is
    late now, not "not yet measured". On time: answered, and none of those. Pending: open, its
    deadline still ahead.
    """
    from django.db.models import Case, Exists, F, OuterRef, Value, When

    overdue_escalated = Exists(HistoryEntry.objects.filter(process_kind=INQUIRY.kind, process_id=OuterRef("pk"),
                                                           action="overdue_escalate"))
    return Case(
        When(Q(overdue_escalated) | Q(state__in=OPEN_STATES, due_at__lt=now) | Q(answered_at__gt=F("due_at")),
             then=Value(LATE)),
        When(answered_at__isnull=False, then=Value(ON_TIME)),
        default=Value(PENDING),
    )


def overdue_q(now) -> Q:
    """Open (with the community or the street) past its current deadline."""
    return Q(state__in=OPEN_STATES, due_at__lt=now)


def filter_inquiries(qs: QuerySet[Inquiry], *, now, community_id=None, state=None, overdue=False, timely=None,
                     year=None) -> QuerySet[Inquiry]:
    """The list filters behind the dashboard's figures (each is a link to its list)."""
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in InquiryState.values:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(overdue_q(now))
    if year is not None:
        qs = qs.filter(filed_at__year=year)
    if timely in (ON_TIME, LATE, PENDING):
        qs = qs.annotate(timely=timeliness(now)).filter(timely=timely)
    return qs
