"""Every read of the expense area a user can reach, already scoped to that user."""


from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.params import parse_id
from workflows.approvals import selectors as approval_selectors
from workflows.approvals.models import HistoryEntry
from workflows.approvals.registry import COMMUNITY
from workflows.approvals.route import RouteState
from workflows.expenses import permissions, rules
from workflows.expenses.models import ExpenseRequest
from workflows.expenses.process import EXPENSE, KIND
from workflows.expenses.states import ExpenseState
from workflows.ledger import selectors as ledger_selectors
from workflows.org.models import Community, OrgUnit, User
from workflows.org.roles import COMMUNITY_WORK_ROLES, Role
from workflows.org.selectors import holders_of, is_system_admin, memberships_of, street_ids_for_user


@dataclass(frozen=True)
class ExpenseSearch:
    """The expense list's search: the engine's (words, dates, open or closed) and an amount range."""

    base: approval_selectors.Search = approval_selectors.Search()
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None


def parse_expense_search(params) -> tuple[ExpenseSearch, dict[str, list[str]]]:
    base, errors = approval_selectors.parse_search(params)
    amounts = {}
    for name in ("amount_min", "amount_max"):
        raw = (params.get(name) or "").strip()
        if not raw:
            amounts[name] = None
            continue
        try:
            amounts[name] = rules.parse_amount(raw)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
            amounts[name] = None
    if amounts["amount_min"] is not None and amounts["amount_max"] is not None and amounts["amount_max"] < amounts["amount_min"]:
        errors["amount_max"] = [str(_("The largest amount is below the smallest."))]
    return ExpenseSearch(base=base, **amounts), errors


def expense_list_for_user(*, user, state: str | None = None, community_id=None,
                          search: ExpenseSearch | None = None) -> QuerySet[ExpenseRequest]:
    if not user.is_authenticated:
        return ExpenseRequest.objects.none()
    qs = ExpenseRequest.objects.select_related("community", "submitter", "policy")
    if not is_system_admin(user):
        work = [m.org_unit_id for m in memberships_of(user) if m.role in COMMUNITY_WORK_ROLES]
        streets = street_ids_for_user(user)
        qs = qs.filter(
            Q(community_id__in=work) | Q(community__parent_id__in=streets) | Q(submitter=user) | Q(cc=user)
        ).distinct()
    if state:
        qs = qs.filter(state=state)
    if community_id not in (None, ""):
        community_id = parse_id(community_id)
        if community_id is None:
            return ExpenseRequest.objects.none()
        qs = qs.filter(community_id=community_id)
    if search is not None:
        qs = approval_selectors.apply_search(EXPENSE, qs, search.base)
        if search.amount_min is not None:
            qs = qs.filter(amount__gte=search.amount_min)
        if search.amount_max is not None:
            qs = qs.filter(amount__lte=search.amount_max)
    return qs.order_by("-created_at", "-id")


def expense_get_for_user(*, user, pk) -> ExpenseRequest:
    try:
        return expense_list_for_user(user=user).get(pk=pk)
    except (ExpenseRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def cc_candidates(*, communities) -> QuerySet:
    """Who a request may be copied to: the work roles of its community and the street's signing
    roles — never residents, partners or the administrator."""
    community_ids = [c.pk for c in communities]
    street_ids = {c.parent_id for c in communities}
    return User.objects.filter(is_active=True).filter(
        Q(memberships__org_unit_id__in=community_ids, memberships__role__in=COMMUNITY_WORK_ROLES)
        | Q(memberships__org_unit_id__in=street_ids, memberships__role__in=(Role.STREET_LEADER, Role.STREET_REVIEWER))
    ).distinct().order_by("id")


def communities_for_filing(user) -> QuerySet[Community]:
    ids = [m.org_unit_id for m in memberships_of(user) if m.role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY)]
    return Community.objects.filter(pk__in=ids).order_by("id")


@dataclass(frozen=True)
class Balance:
    posted: Decimal      # the ledger: income posted less expenses paid
    committed: Decimal   # approved requests not yet paid
    available: Decimal   # what a new payment may still take


def balance_of(*, community, exclude_pk: int | None = None) -> Balance:
    """The community's available balance: its posted balance less what approved, unpaid
    requests (other than `exclude_pk`) have committed. Payment checks it; filing, approving
    and the home page show it."""
    committed = ExpenseRequest.objects.filter(community=community, state=ExpenseState.APPROVED)
    if exclude_pk is not None:
        committed = committed.exclude(pk=exclude_pk)
    committed = committed.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    posted = ledger_selectors.posted_balance(community=community)
    return Balance(posted=posted, committed=committed, available=posted - committed)


def balances_for(*, user) -> list[tuple[Community, Balance]]:
    """The balances of the communities whose books the user works on (their work roles)."""
    ids = {m.org_unit_id for m in memberships_of(user) if m.role in COMMUNITY_WORK_ROLES}
    return [(c, balance_of(community=c)) for c in Community.objects.filter(pk__in=ids).order_by("id")]


def home_balances(user) -> dict | None:
    """The home page: the available balance of each community whose books the user works on."""
    if not user.is_authenticated:
        return None
    balances = balances_for(user=user)
    return {"balances": balances} if balances else None


def attachment_of(request: ExpenseRequest, pk):
    """One attachment of a request the caller may already see; anything else is a 404."""
    pk = parse_id(pk)
    found = request.attachments.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def history_for(request: ExpenseRequest) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(process_kind=KIND, process_id=request.pk).select_related("actor").order_by("created_at", "id")


def _unit_names(ids) -> dict[int, str]:
    return dict(OrgUnit.objects.filter(pk__in=set(ids)).values_list("id", "name"))


def _step_ref(code: str, role: str, unit_id: int, units: dict[int, str]) -> dict:
    return {
        "step": code,
        "label": EXPENSE.step_label(code),
        "role": role,
        "role_label": str(Role(role).label),
        "org_unit": {"id": unit_id, "name": units.get(unit_id, "")},
    }


def routes_for_requests(requests: list[ExpenseRequest]) -> dict[int, list[dict]]:
    """route_for_request for a whole list page in two queries instead of two per row."""
    tasks_by_process: dict[int, list[Task]] = {}
    process_ids = {r.process_id for r in requests if r.process_id is not None}
    for task in Task.objects.filter(process_id__in=process_ids).select_related("owner", "process").order_by("id"):
        tasks_by_process.setdefault(task.process_id, []).append(task)
    unit_ids = [i for r in requests for i in (r.community_id, r.community.parent_id)]
    unit_ids += [t.data.get("org_unit_id") for tasks in tasks_by_process.values() for t in tasks]
    units = _unit_names(unit_ids)
    return {
        r.pk: route_for_request(r, tasks=tasks_by_process.get(r.process_id, []), units=units) for r in requests
    }


def route_for_request(request: ExpenseRequest, *, tasks: list[Task] | None = None,
                      units: dict[int, str] | None = None) -> list[dict]:
    """The request's steps with their status in the current round: passed, current, waiting, failed."""
    if tasks is None:
        tasks = []
        if request.process_id is not None:
            tasks = list(Task.objects.filter(process_id=request.process_id).select_related("owner", "process").order_by("id"))
    by_step: dict[str, list[Task]] = {}
    for task in tasks:
        if task.data.get("step"):
            by_step.setdefault(task.data["step"], []).append(task)
    community = request.community
    if units is None:
        units = _unit_names([community.pk, community.parent_id, *[t.data.get("org_unit_id") for t in tasks]])
    steps = []
    people = approval_selectors.task_people([t for t in tasks if t.status == STATUS.NEW or t.data.get("on_behalf_of")])
    finished_ok = request.state in (ExpenseState.APPROVED, ExpenseState.PAID)
    for code in request.steps:
        step = EXPENSE.step(code)
        role = step.role
        unit_id = community.pk if step.scope == COMMUNITY else community.parent_id
        step_tasks = by_step.get(code, [])
        if step_tasks:
            role = step_tasks[0].data.get("role", role)
            unit_id = step_tasks[0].data.get("org_unit_id", unit_id)
        if any(t.status == STATUS.NEW for t in step_tasks) and request.state == ExpenseState.PENDING:
            status = "current"
        elif finished_ok or (step_tasks and _step_passed(step.countersign, step_tasks)):
            status = "passed"
        elif step_tasks and any(t.data.get("decision") in ("reject", "return") for t in step_tasks):
            status = "failed" if request.state == ExpenseState.REJECTED else "returned"
        elif request.state == ExpenseState.WITHDRAWN:
            status = "withdrawn"  # nobody waits on a withdrawn request
        elif request.state == ExpenseState.REJECTED:
            status = "not_reached"
        else:
            status = "waiting"
        steps.append({
            **_step_ref(code, role, unit_id, units),
            "status": status,
            "tasks": [
                {
                    "id": t.pk,
                    "assignee": {"id": t.owner_id, "name": str(t.owner) if t.owner else ""},
                    "status": t.status,
                    "decision": t.data.get("decision", ""),
                    "auto": t.data.get("auto", ""),
                    # 加签 still to sign after the holder, and whose deputy holds it (代理)
                    **(people.get(t.pk) or {"signers": [], "on_behalf_of": None}),
                }
                for t in step_tasks
            ],
        })
    return steps


def _step_passed(countersign: bool, tasks: list[Task]) -> bool:
    if countersign:
        tally = RouteState.of(tasks[0].process).countersign if tasks else None
        needed = tally.needed if tally else 1
        return sum(1 for t in tasks if t.data.get("decision") == "approve") >= needed
    return any(t.status == STATUS.DONE and t.data.get("decision") == "approve" for t in tasks)


def route_preview(*, user, community_id, amount, category, extra: dict | None = None) -> dict:
    """The steps a request would take, filed now by `user` (ValidationError for bad input).

    `extra` holds the expense.extra fields typed so far (unvalidated: they only steer which
    conditional authority row applies; filing validates them)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    try:
        community = communities_for_filing(user).get(pk=int(community_id))
    except (Community.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"community": _("Choose a community you can file expenses for.")}) from None
    amount = rules.parse_amount(amount)
    from workflows.ledger.categories import ExpenseCategory

    if category not in ExpenseCategory.values:
        raise ValidationError({"category": _("Choose one of the listed categories.")})
    policy = rules.policy_in_force(street_id=community.parent_id)
    codes = rules.route_steps(policy=policy, category=category, amount=amount,
                                 extra=extra if isinstance(extra, dict) else None)
    units = _unit_names([community.pk, community.parent_id])
    steps = []
    for code in codes:
        step = EXPENSE.step(code)
        role = step.role
        unit_id = community.pk if step.scope == COMMUNITY else community.parent_id
        holders = list(holders_of(role=role, org_unit_id=unit_id))
        note = ""
        if user in holders and not step.countersign:
            note = "auto_pass"
        elif not holders:
            note = "street_reviewer"
        steps.append({
            **_step_ref(code, role, unit_id, units),
            "holders": [str(h) for h in holders],
            "note": note,
        })
    return {"policy_version": policy.version, "amount": f"{amount:.2f}", "steps": steps}


def open_task_for(*, user, request: ExpenseRequest) -> Task | None:
    if request.process_id is None or request.state != ExpenseState.PENDING:
        return None
    return Task.objects.filter(process_id=request.process_id, owner_id=user.pk, status=STATUS.NEW).first()


def actions_for(*, user, request: ExpenseRequest) -> dict:
    task = open_task_for(user=user, request=request)
    transfer_to = []
    if task is not None:
        transfer_to = list(
            holders_of(role=task.data.get("role"), org_unit_id=task.data.get("org_unit_id"))
            .exclude(pk__in=[user.pk, request.submitter_id])
        )
    add_signers = []
    if task is not None and not task.flow_task.vote:
        add_signers = approval_selectors.signer_candidates(
            task=task, community_id=request.community_id, street_id=request.community.parent_id,
            submitter_id=request.submitter_id)
    balance = None
    if task is not None:
        # Shown to every approver; approving beyond it is warned of, not blocked (payment checks it).
        balance = balance_of(community=request.community, exclude_pk=request.pk)
    return {
        "task": task,
        "balance": balance,
        "over_balance": balance is not None and request.amount > balance.available,
        "transfer_to": transfer_to,
        "add_signers": add_signers,
        "withdraw": permissions.can_withdraw_expense(user, request),
        "urge": permissions.can_urge_expense(user, request),
        "resubmit": permissions.can_resubmit_expense(user, request),
        "pay": permissions.can_pay_expense(user, request),
        "comment": True,
    }


def policies_for_user(*, user):
    from workflows.expenses.models import AuthorityPolicy

    if not user.is_authenticated:
        return AuthorityPolicy.objects.none()
    if is_system_admin(user):
        return AuthorityPolicy.objects.order_by("street_id", "-version")
    streets = set(street_ids_for_user(user)) | {m.org_unit.parent_id for m in memberships_of(user) if m.org_unit.parent_id}
    return AuthorityPolicy.objects.filter(street_id__in=streets).order_by("street_id", "-version")
