"""Every write of the expense area.

Public services are `<noun>_<verb>(*, actor, ...)`: one transaction, one history row for the
action (plus the rows the route writes by itself, which follow it), events sent inside the
transaction. The `route_*` functions are called by the flow's nodes (flows.py) while a service
is running; they hold the route rules: who holds a step, the edge rules, the majority.
"""

import contextlib
import contextvars
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from pydantic import ValidationError as PydanticError
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from project.storage import keeps_files_only_on_success
from workflows.approvals import services as approvals
from workflows.approvals.errors import StaleState
from workflows.approvals.events import ApprovalEvent, EventKind
from workflows.approvals.models import Action
from workflows.approvals.nodes import Assignment
from workflows.approvals.services import HistoryRow
from workflows.expenses import permissions
from workflows.expenses.models import MAX_AMOUNT, AuthorityPolicy, AuthorityRule, ExpenseRequest
from workflows.expenses.policy import PolicyRowIn, Step
from workflows.expenses.states import ExpenseState
from workflows.ledger.categories import ExpenseCategory
from workflows.org.models import Community, Street, User
from workflows.org.roles import Role
from workflows.org.selectors import holders_of

KIND = "expense"

# Which role holds a step, and whether it is held in the community or at the street.
STEP_ROLES = {
    Step.COMMUNITY_SECRETARY: (Role.COMMUNITY_SECRETARY, "community"),
    Step.COMMUNITY_COMMITTEE: (Role.COMMUNITY_COMMITTEE, "community"),
    Step.STREET_REVIEWER: (Role.STREET_REVIEWER, "street"),
    Step.STREET_LEADER: (Role.STREET_LEADER, "street"),
}
STREET_ROLE_CODES = {Role.STREET_REVIEWER, Role.STREET_LEADER}


class InsufficientBalance(Exception):
    """The payment exceeds what the community can spend: HTTP 409."""

    def __init__(self, *, amount: Decimal, available: Decimal):
        self.amount = amount
        self.available = available
        super().__init__(
            _("Insufficient balance: this payment is ¥%(amount)s but only ¥%(available)s is available "
              "(income − paid − approved but unpaid).")
            % {"amount": f"{amount:,.2f}", "available": f"{available:,.2f}"}
        )


# --- the request a service is working on, shared with the flow's callbacks ---------------------

_bound: contextvars.ContextVar[ExpenseRequest | None] = contextvars.ContextVar("expense_request", default=None)


@contextlib.contextmanager
def _binding(request: ExpenseRequest):
    token = _bound.set(request)
    try:
        yield
    finally:
        _bound.reset(token)


def _request_of(process: Process) -> ExpenseRequest:
    request = _bound.get()
    if request is not None and request.pk == process.data.get("request_id"):
        return request
    return ExpenseRequest.objects.select_related("community").get(pk=process.data["request_id"])


def _flow():
    from workflows.expenses.flows import ExpenseFlow

    return ExpenseFlow


# --- validation ------------------------------------------------------------------------------


def parse_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": _("Enter an amount such as 8000.00.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Enter an amount such as 8000.00.")})
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if amount.as_tuple().exponent < -2:
        raise ValidationError({"amount": _("The amount may have at most two decimal places.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("The amount may be at most 10,000,000.00.")})
    return amount.quantize(Decimal("0.01"))


def _check_fields(*, category: str, payee: str, purpose: str) -> None:
    errors = {}
    if category not in ExpenseCategory.values:
        errors["category"] = _("Choose one of the listed categories.")
    if not payee.strip():
        errors["payee"] = _("Enter the payee.")
    elif len(payee) > 150:
        errors["payee"] = _("At most 150 characters.")
    if not purpose.strip():
        errors["purpose"] = _("Describe what the money is for.")
    elif len(purpose) > 500:
        errors["purpose"] = _("At most 500 characters.")
    if errors:
        raise ValidationError(errors)


# --- authority policy ------------------------------------------------------------------------


def policy_in_force(*, street_id: int, on: dt.date | None = None) -> AuthorityPolicy:
    """The newest version already in effect on `on` (a version dated in the future waits)."""
    on = on or timezone.localdate()
    policy = (
        AuthorityPolicy.objects.filter(street_id=street_id, effective_from__lte=on)
        .order_by("-version")
        .first()
    )
    if policy is None:
        raise ValidationError({"community": _("No authority table is in force for this street yet.")})
    return policy


def route_steps(*, policy: AuthorityPolicy, category: str, amount: Decimal, extra: dict | None = None) -> list[str]:
    """The steps of the first matching row: category rows before "any" rows, then by position.

    A row with a condition matches only when forms.conditions.evaluate holds on the request's
    facts: its expense.extra data, with `amount` and `category` (the core fields win).
    """
    facts = {**(extra or {}), "category": category, "amount": str(amount)}
    rules = sorted(policy.rules.all(), key=lambda r: (r.category == "", r.position))
    for rule in rules:
        if rule.matches(category=category, amount=amount, facts=facts):
            return list(rule.steps)
    raise ValidationError({"amount": _("The authority table has no row for this category and amount.")})


def extra_form_for(community: Community):
    """The street's published expense.extra form version (or the global one, or None)."""
    from forms.selectors import published_version_for

    return published_version_for(purpose="expense.extra", street=community.parent_id)


def validate_extra(*, community: Community, actor: User, extra=None, files=None, prefix: str | None = None):
    """(version, cleaned data) of the filing form's extra part; errors keyed `extra.<field>`."""
    from forms.services import submission_validate

    version = extra_form_for(community)
    if version is None:
        return None, {}
    try:
        data = submission_validate(version=version, data=extra if extra is not None else {}, user=actor,
                                   files=files, prefix=prefix)
    except ValidationError as exc:
        raise ValidationError({f"extra.{key}": msgs for key, msgs in exc.message_dict.items()}) from None
    return version, data


def policy_create_version(
    *, actor: User, street: Street, effective_from: dt.date, rows: list[dict], note: str = ""
) -> AuthorityPolicy:
    """Edit the authority table: always a new version; requests keep the version they were filed under."""
    if not permissions.can_edit_policy(actor):
        raise PermissionDenied
    if not rows:
        raise ValidationError({"rows": _("An authority table needs at least one row.")})
    parsed = []
    for i, row in enumerate(rows):
        try:
            item = PolicyRowIn.model_validate(row)
        except PydanticError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ValidationError({"rows": _("Row %(n)s, %(field)s: %(msg)s") % {"n": i + 1, "field": where, "msg": err["msg"]}}) from None
        if item.category and item.category not in ExpenseCategory.values:
            raise ValidationError({"rows": _("Row %(n)s: unknown category.") % {"n": i + 1}})
        if item.amount_upto is not None and item.amount_upto <= item.amount_above:
            raise ValidationError({"rows": _("Row %(n)s: the upper bound must be above the lower bound.") % {"n": i + 1}})
        parsed.append(item)
    with transaction.atomic():
        last = (
            AuthorityPolicy.objects.select_for_update().filter(street=street).order_by("-version").values_list("version", flat=True).first()
        )
        policy = AuthorityPolicy.objects.create(
            street=street, version=(last or 0) + 1, effective_from=effective_from, note=note, created_by=actor
        )
        AuthorityRule.objects.bulk_create(
            AuthorityRule(
                policy=policy,
                position=i,
                category=item.category,
                amount_above=item.amount_above,
                amount_upto=item.amount_upto,
                steps=[s.value for s in item.steps.root],
                condition=item.condition.model_dump(exclude_none=True) if item.condition is not None else None,
            )
            for i, item in enumerate(parsed, start=1)
        )
    return policy


# --- events and history helpers --------------------------------------------------------------


def _url(request: ExpenseRequest) -> str:
    return reverse("expense-detail", args=[request.pk])


def _event(request: ExpenseRequest, kind: str, **fields) -> None:
    approvals.emit(
        ExpenseRequest,
        ApprovalEvent(
            kind=kind,
            process_kind=KIND,
            process_id=request.pk,
            title=request.title,
            url=_url(request),
            street_id=request.community.parent_id,
            community_id=request.community_id,
            **fields,
        ),
    )


def _row(request: ExpenseRequest, action: str, **fields) -> HistoryRow:
    return HistoryRow(
        process_kind=KIND,
        process_id=request.pk,
        action=action,
        round=request.round,
        policy_version=request.policy.version,
        form_version=request.extra_form.number if request.extra_form_id else None,
        **fields,
    )


def _open_tasks(request: ExpenseRequest):
    if request.process_id is None:
        return Task.objects.none()
    return Task.objects.filter(process_id=request.process_id, status=STATUS.NEW)


def _watchers(request: ExpenseRequest) -> tuple[int, ...]:
    """Submitter and CC: told of decisions (read once per action)."""
    cached = getattr(request, "_watchers", None)
    if cached is None:
        cached = request._watchers = tuple(dict.fromkeys([request.submitter_id, *request.cc.values_list("id", flat=True)]))
    return cached


def _save(request: ExpenseRequest) -> None:
    try:
        request.save()
    except ConcurrentTransition:
        raise StaleState(_("The request changed meanwhile; reload and try again.")) from None


def _perform(request: ExpenseRequest, *, actor: User | None, action: str, work, comment: str = "",
             step: str = "", task_id: int | None = None, detail: dict | None = None) -> None:
    """Run `work` (which may drive the flow), then write the action's row and the route's rows."""
    before = request.state
    with approvals.history_deferred() as engine_rows, _binding(request):
        try:
            work()
        except TransitionNotAllowed:
            raise StaleState(_("This action is no longer possible in the request's current state.")) from None
    approvals.history_record(
        _row(request, action, actor_id=actor.pk if actor else None, comment=comment, state_before=before,
             state_after=request.state, step=step, task_id=task_id, detail=detail)
    )
    approvals.history_flush(engine_rows)


def _lock(request_id: int) -> ExpenseRequest:
    return ExpenseRequest.objects.select_for_update().select_related("community", "policy").get(pk=request_id)


# --- filing ----------------------------------------------------------------------------------


def _start_route(request: ExpenseRequest) -> None:
    flow = _flow()
    process = flow.start.run(
        _process_data={
            "request_id": request.pk,
            "steps": list(request.steps),
            "submitter_id": request.submitter_id,
            "community_id": request.community_id,
            "street_id": request.community.parent_id,
            "round": request.round,
            "last_signer": None,
            "last_decision": None,
        }
    )
    # The flow may already have finished (every step passed automatically) and moved the
    # request on; only the link to its route is written here.
    request.process = process
    ExpenseRequest.objects.filter(pk=request.pk).update(process=process)


@keeps_files_only_on_success
def expense_create(
    *, actor: User, community: Community, amount, category: str, payee: str, purpose: str, cc=(),
    extra: dict | None = None, files=None, extra_prefix: str | None = None,
) -> ExpenseRequest:
    """File a request. The filing form is the core fields plus the street's published
    expense.extra form (`extra`: its JSON data, or the page's post read with `extra_prefix`)."""
    amount = parse_amount(amount)
    _check_fields(category=category, payee=payee, purpose=purpose)
    if not permissions.can_file_expense(actor, community):
        raise ValidationError({"community": _("You cannot file expenses for this community.")})
    extra_form, extra_data = validate_extra(community=community, actor=actor, extra=extra, files=files, prefix=extra_prefix)
    cc_ids = {getattr(u, "pk", u) for u in cc}
    # Only people of this community or its street: a copy opens the request to its reader.
    cc_users = list(User.objects.filter(
        pk__in=cc_ids, is_active=True, memberships__org_unit_id__in=[community.pk, community.parent_id]
    ).distinct())
    if len(cc_users) != len(cc_ids):
        raise ValidationError({"cc": _("Copy only people of this community or its street.")})
    with transaction.atomic():
        policy = policy_in_force(street_id=community.parent_id)
        steps = route_steps(policy=policy, category=category, amount=amount, extra=extra_data)
        request = ExpenseRequest(
            community=community, amount=amount, category=category, payee=payee.strip(), purpose=purpose.strip(),
            submitter=actor, policy=policy, steps=steps, extra_form=extra_form, extra=extra_data,
        )
        request.save()
        if cc_users:
            request.cc.set(cc_users)

        def work():
            request.submit()
            _save(request)
            _start_route(request)

        _perform(request, actor=actor, action=Action.SUBMIT, work=work,
                 detail={"amount": str(amount), "steps": steps})
        if cc_users:
            approvals.history_record(
                _row(request, Action.CC, actor_id=actor.pk, state_before=request.state, state_after=request.state,
                     detail={"users": [u.pk for u in cc_users], "names": [str(u) for u in cc_users]})
            )
    return request


@keeps_files_only_on_success
def expense_resubmit(
    *, actor: User, request: ExpenseRequest, amount=None, category: str | None = None, payee: str | None = None,
    purpose: str | None = None, comment: str = "", extra: dict | None = None, files=None,
    extra_prefix: str | None = None,
) -> ExpenseRequest:
    """`extra`, when given, replaces the extra fields; it is validated against the form version
    the request was filed with (like the authority table, the form version stays). As in
    `expense_create`, `extra` is JSON data or the page's post read with `extra_prefix`."""
    with transaction.atomic():
        request = _lock(request.pk)
        if not permissions.can_resubmit_expense(actor, request):
            if request.submitter_id == actor.pk:
                raise StaleState(_("Only a returned request can be resubmitted."))
            raise PermissionDenied
        new_amount = parse_amount(amount) if amount not in (None, "") else request.amount
        new_category = category if category not in (None, "") else request.category
        new_payee = payee if payee is not None else request.payee
        new_purpose = purpose if purpose is not None else request.purpose
        _check_fields(category=new_category, payee=new_payee, purpose=new_purpose)
        changes = {}
        for field, value in (("amount", new_amount), ("category", new_category), ("payee", new_payee.strip()),
                             ("purpose", new_purpose.strip())):
            if getattr(request, field) != value:
                changes[field] = [str(getattr(request, field)), str(value)]
                setattr(request, field, value)
        if extra is not None and request.extra_form_id is not None:
            from forms.services import submission_validate

            try:
                new_extra = submission_validate(version=request.extra_form, data=extra, user=actor, files=files,
                                                prefix=extra_prefix)
            except ValidationError as exc:
                raise ValidationError({f"extra.{key}": msgs for key, msgs in exc.message_dict.items()}) from None
            if new_extra != request.extra:
                changes["extra"] = [request.extra, new_extra]
                request.extra = new_extra
        # The route restarts from its first step under the version the request was filed under.
        request.steps = route_steps(policy=request.policy, category=request.category, amount=request.amount,
                                    extra=request.extra)
        request.round += 1

        def work():
            request.resubmit()
            _save(request)
            _start_route(request)

        _perform(request, actor=actor, action=Action.RESUBMIT, work=work, comment=comment,
                 detail={"changes": changes, "steps": request.steps})
        _event(request, EventKind.RESUBMITTED, actor_id=actor.pk, comment=comment)
    return request


# --- the route: called by the flow's nodes ---------------------------------------------------


def _unit_for(process: Process, scope: str) -> int:
    return process.data["community_id"] if scope == "community" else process.data["street_id"]


def route_assign(*, process: Process, task: Task, step: str) -> Assignment:
    """Who holds a new task of `step`, with the edge rules applied."""
    data = process.data
    if task.data.get("voter_id"):
        return Assignment(owner_id=task.data["voter_id"], role=task.data["role"], org_unit_id=task.data["org_unit_id"],
                          auto_reason=task.data.get("auto_reason", ""))
    role, scope = STEP_ROLES[step]
    org_unit_id = _unit_for(process, scope)
    holders = list(holders_of(role=role, org_unit_id=org_unit_id).values_list("id", flat=True))
    notes = []
    if data["submitter_id"] in holders:
        return Assignment(owner_id=data["submitter_id"], role=role, org_unit_id=org_unit_id, auto_reason="submitter")
    if not holders:
        notes.append((Action.REASSIGN, {"reason": "no_holder", "role": role, "to_role": Role.STREET_REVIEWER}))
        role, org_unit_id = Role.STREET_REVIEWER, data["street_id"]
        holders = list(holders_of(role=role, org_unit_id=org_unit_id).values_list("id", flat=True))
    candidates = [h for h in holders if h != data.get("last_signer")]
    if holders and not candidates:
        # The only holder signed the step just before: one signature stands for both.
        return Assignment(owner_id=holders[0], role=role, org_unit_id=org_unit_id, auto_reason="same_signer",
                          notes=tuple(notes))
    if not candidates:
        raise ValidationError(_("Nobody holds the role needed for this step; ask the administrator to assign it."))
    return Assignment(owner_id=candidates[0], role=role, org_unit_id=org_unit_id, notes=tuple(notes))


def route_task_created(*, process: Process, task: Task, assignment: Assignment) -> None:
    request = _request_of(process)
    step = task.data["step"]
    for action, detail in assignment.notes:
        approvals.history_record(_row(request, action, step=step, task_id=task.pk, state_before=request.state,
                                      state_after=request.state, detail=detail))
    if assignment.auto_reason:
        approvals.history_record(
            _row(request, Action.AUTO_PASS, actor_id=assignment.owner_id, step=step, task_id=task.pk,
                 state_before=request.state, state_after=request.state, detail={"reason": assignment.auto_reason})
        )
        task.data["decision"] = "approve"
        task.save(update_fields=["data"])
        process.data["last_decision"] = "approve"
        if assignment.auto_reason == "submitter":
            process.data["last_signer"] = assignment.owner_id
        process.save(update_fields=["data"])
        return
    _event(request, EventKind.TASK_ASSIGNED, user_ids=(assignment.owner_id,), role=assignment.role,
           org_unit_id=assignment.org_unit_id, step=step, extra={"task_id": task.pk})
    if assignment.role in STREET_ROLE_CODES and not process.data.get("reached_street"):
        process.data["reached_street"] = True
        process.save(update_fields=["data"])
        _event(request, EventKind.REACHED_STREET, step=step)


def route_committee_voters(*, process: Process) -> list[dict]:
    """One vote per committee member; the submitter is recused, the previous signer excluded."""
    request = _request_of(process)
    data = process.data
    community_id = data["community_id"]
    members = list(holders_of(role=Role.COMMUNITY_COMMITTEE, org_unit_id=community_id).values_list("id", flat=True))
    voters = []
    for member in members:
        if member == data["submitter_id"]:
            reason = "submitter"
        elif member == data.get("last_signer"):
            reason = "signed_previous_step"
        else:
            voters.append(member)
            continue
        approvals.history_record(
            _row(request, Action.RECUSE, actor_id=member, step=Step.COMMUNITY_COMMITTEE, state_before=request.state,
                 state_after=request.state, detail={"reason": reason})
        )
    role, unit = Role.COMMUNITY_COMMITTEE, community_id
    if not voters:
        reviewers = list(holders_of(role=Role.STREET_REVIEWER, org_unit_id=data["street_id"]).values_list("id", flat=True))
        if not reviewers:
            raise ValidationError(_("Nobody can sign the committee step; ask the administrator to assign the roles."))
        approvals.history_record(
            _row(request, Action.REASSIGN, step=Step.COMMUNITY_COMMITTEE, state_before=request.state, state_after=request.state,
                 detail={"reason": "no_holder", "role": Role.COMMUNITY_COMMITTEE, "to_role": Role.STREET_REVIEWER})
        )
        others = [r for r in reviewers if r != data.get("last_signer")]
        role, unit = Role.STREET_REVIEWER, data["street_id"]
        data["countersign"] = {"voters": 1, "needed": 1}
        process.save(update_fields=["data"])
        if not others:
            # The one reviewer signed the step before: her signature stands for this step too.
            return [{"voter_id": reviewers[0], "role": role, "org_unit_id": unit, "auto_reason": "same_signer"}]
        return [{"voter_id": others[0], "role": role, "org_unit_id": unit}]
    data["countersign"] = {"voters": len(voters), "needed": len(voters) // 2 + 1}
    process.save(update_fields=["data"])
    return [{"voter_id": v, "role": role, "org_unit_id": unit} for v in voters]


def countersign_votes(*, process: Process) -> tuple[int, int]:
    approve = reject = 0
    flow = _flow()
    for data in Task.objects.filter(process=process, flow_task=flow.committee_vote, status=STATUS.DONE).values_list("data", flat=True):
        if data.get("decision") == "approve":
            approve += 1
        elif data.get("decision") == "reject":
            reject += 1
    return approve, reject


def countersign_outcome(*, process: Process) -> str | None:
    """"passed" once a majority approved, "failed" once a majority can no longer be reached."""
    tally = process.data.get("countersign") or {}
    voters, needed = tally.get("voters", 0), tally.get("needed", 1)
    approve, reject = countersign_votes(process=process)
    if approve >= needed:
        return "passed"
    if reject > voters - needed:
        return "failed"
    return None


def route_tally(*, process: Process) -> None:
    request = _request_of(process)
    outcome = countersign_outcome(process=process)
    approve, reject = countersign_votes(process=process)
    tally = dict(process.data.get("countersign") or {}, approve=approve, reject=reject)
    passed = outcome == "passed"
    process.data["last_decision"] = "approve" if passed else "reject"
    process.data["last_signer"] = None  # a vote is nobody's single signature
    process.save(update_fields=["data"])
    approvals.history_record(
        _row(request, Action.STEP_PASSED if passed else Action.STEP_FAILED, step=Step.COMMUNITY_COMMITTEE,
             state_before=request.state, state_after=request.state, detail=tally)
    )
    if passed:
        _event(request, EventKind.STEP_APPROVED, user_ids=_watchers(request), step=Step.COMMUNITY_COMMITTEE)


def route_decide(*, process: Process, task: Task, decision: str, actor_id: int) -> None:
    task.data["decision"] = decision
    task.data["actor_id"] = actor_id
    if task.flow_task.name == "committee_vote":
        return
    process.data["last_decision"] = decision
    if decision == "approve":
        process.data["last_signer"] = actor_id
    process.save(update_fields=["data"])
    if decision == "approve":
        request = _request_of(process)
        _event(request, EventKind.STEP_APPROVED, actor_id=actor_id, user_ids=_watchers(request), step=task.data["step"])


def route_finished(*, process: Process, approved: bool) -> None:
    request = _request_of(process)
    if approved:
        request.approve()
    else:
        request.reject()
    _save(request)
    _event(request, EventKind.APPROVED if approved else EventKind.REJECTED, user_ids=_watchers(request))


# --- task actions (registered with the approvals app) ----------------------------------------


# Task actions run inside `approvals.task_act`'s transaction; their own atomic block needs no
# savepoint (an error rolls the whole action back anyway), which saves two statements per action.


def _task_request(task: Task) -> tuple[ExpenseRequest, Task]:
    request = ExpenseRequest.objects.select_for_update().select_related("community", "policy").filter(process_id=task.process_id).first()
    if request is None:
        raise StaleState(_("This task is already finished."))
    task = approvals.task_lock(task)
    if request.state != ExpenseState.PENDING:
        raise StaleState(_("This request is no longer waiting for approval."))
    return request, task


def _decide(*, actor: User, task: Task, decision: str, comment: str) -> ExpenseRequest:
    with transaction.atomic(savepoint=False):
        request, task = _task_request(task)
        step = task.data.get("step", "")

        def work():
            task.flow_task.run(task, decision=decision, actor_id=actor.pk)

        action = Action.APPROVE if decision == "approve" else Action.REJECT
        _perform(request, actor=actor, action=action, work=work, comment=comment, step=step, task_id=task.pk,
                 detail={"vote": True} if task.flow_task.name == "committee_vote" else None)
    return request


def expense_task_approve(*, actor: User, task: Task, comment: str = "") -> ExpenseRequest:
    return _decide(actor=actor, task=task, decision="approve", comment=comment)


def expense_task_reject(*, actor: User, task: Task, comment: str = "") -> ExpenseRequest:
    return _decide(actor=actor, task=task, decision="reject", comment=comment)


def _cancel_route(request: ExpenseRequest) -> list[int]:
    """Cancel the open tasks of the current route; returns their owners."""
    owners = list(_open_tasks(request).exclude(owner_id=None).values_list("owner_id", flat=True))
    if request.process_id is not None:
        process = Process.objects.get(pk=request.process_id)
        _flow().instance.cancel(process)
    return owners


def expense_task_return(*, actor: User, task: Task, comment: str = "") -> ExpenseRequest:
    with transaction.atomic(savepoint=False):
        request, task = _task_request(task)
        step = task.data.get("step", "")

        def work():
            Task.objects.filter(pk=task.pk).update(data=dict(task.data, decision="return", actor_id=actor.pk))
            _cancel_route(request)
            request.return_for_revision()
            _save(request)

        _perform(request, actor=actor, action=Action.RETURN, work=work, comment=comment, step=step, task_id=task.pk)
        _event(request, EventKind.RETURNED, actor_id=actor.pk, user_ids=_watchers(request), step=step, comment=comment)
    return request


def expense_task_transfer(*, actor: User, task: Task, to_user, comment: str = "") -> ExpenseRequest:
    with transaction.atomic(savepoint=False):
        request, task = _task_request(task)
        role, unit = task.data.get("role"), task.data.get("org_unit_id")
        try:
            target = User.objects.get(pk=getattr(to_user, "pk", to_user), is_active=True)
        except (User.DoesNotExist, ValueError, TypeError):
            raise ValidationError({"to_user": _("Choose another holder of the same role.")}) from None
        if target.pk == actor.pk or not holders_of(role=role, org_unit_id=unit).filter(pk=target.pk).exists():
            raise ValidationError({"to_user": _("Choose another holder of the same role in the same unit.")})
        process = Process.objects.get(pk=task.process_id)
        if target.pk == process.data.get("last_signer"):
            raise ValidationError({"to_user": _("This person signed the step before and cannot sign this one.")})
        if target.pk == request.submitter_id:
            raise ValidationError({"to_user": _("The submitter cannot approve their own request.")})
        if _open_tasks(request).filter(owner_id=target.pk).exists():
            raise ValidationError({"to_user": _("This person already has a task on this request.")})

        def work():
            Task.objects.filter(pk=task.pk).update(owner_id=target.pk, assigned=timezone.now())

        _perform(request, actor=actor, action=Action.TRANSFER, work=work, comment=comment, step=task.data.get("step", ""),
                 task_id=task.pk, detail={"to_user": target.pk, "to_name": str(target)})
        _event(request, EventKind.TASK_TRANSFERRED, actor_id=actor.pk, user_ids=(target.pk,), role=role, org_unit_id=unit,
               step=task.data.get("step", ""), comment=comment, extra={"task_id": task.pk})
    return request


# --- request actions -------------------------------------------------------------------------


def _lock_own_pending(actor: User, request_id: int, message: str) -> ExpenseRequest:
    """The submitter's own request, locked, still waiting for approval (else 404 / 409)."""
    request = _lock(request_id)
    if request.submitter_id != actor.pk:
        raise PermissionDenied
    if request.state != ExpenseState.PENDING:
        raise StaleState(message)
    return request


def expense_withdraw(*, actor: User, request: ExpenseRequest, comment: str = "") -> ExpenseRequest:
    with transaction.atomic():
        request = _lock_own_pending(actor, request.pk, _("Only a request waiting for approval can be withdrawn."))
        if approvals.has_human_decision(process_kind=KIND, process_id=request.pk, round=request.round):
            raise StaleState(_("Someone has already decided on this request; it can no longer be withdrawn."))
        owners = []

        def work():
            owners.extend(_cancel_route(request))
            request.withdraw()
            _save(request)

        _perform(request, actor=actor, action=Action.WITHDRAW, work=work, comment=comment)
        _event(request, EventKind.WITHDRAWN, actor_id=actor.pk, user_ids=tuple(owners), comment=comment)
    return request


def expense_urge(*, actor: User, request: ExpenseRequest, comment: str = "") -> ExpenseRequest:
    with transaction.atomic():
        request = _lock_own_pending(actor, request.pk, _("Only a request waiting for approval can be urged."))
        approvals.urge_check(process_kind=KIND, process_id=request.pk)
        owners = tuple(_open_tasks(request).exclude(owner_id=None).values_list("owner_id", flat=True))
        _perform(request, actor=actor, action=Action.URGE, work=lambda: None, comment=comment, detail={"users": list(owners)})
        _event(request, EventKind.URGED, actor_id=actor.pk, user_ids=owners, comment=comment)
    return request


def expense_comment(*, actor: User, request: ExpenseRequest, comment: str) -> ExpenseRequest:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    if len(comment) > 2000:
        raise ValidationError({"comment": _("At most 2000 characters.")})
    with transaction.atomic():
        request = _lock(request.pk)
        if not permissions.can_view_expense(actor, request):
            raise PermissionDenied
        owners = _open_tasks(request).exclude(owner_id=None).values_list("owner_id", flat=True)
        recipients = tuple(u for u in dict.fromkeys([*_watchers(request), *owners]) if u != actor.pk)
        _perform(request, actor=actor, action=Action.COMMENT, work=lambda: None, comment=comment)
        _event(request, EventKind.COMMENTED, actor_id=actor.pk, user_ids=recipients, comment=comment)
    return request


@keeps_files_only_on_success
def expense_pay(*, actor: User, request: ExpenseRequest, paid_on: dt.date, voucher_number: str, scan=None) -> ExpenseRequest:
    """Pay an approved request and post it to the expense line of the community's books."""
    from workflows.ledger import selectors as ledger_selectors
    from workflows.ledger import services as ledger_services

    voucher_number = (voucher_number or "").strip()
    errors = {}
    if not voucher_number:
        errors["voucher_number"] = _("Enter the voucher number.")
    elif len(voucher_number) > 64:
        errors["voucher_number"] = _("At most 64 characters.")
    if not isinstance(paid_on, dt.date):
        errors["paid_on"] = _("Enter the payment date.")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("The payment date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = _lock(request.pk)
        if not permissions.can_view_expense(actor, request):
            raise PermissionDenied
        if not permissions.can_pay_expense(actor, request):
            if request.state != ExpenseState.APPROVED and permissions.is_community_staff(actor, request.community_id):
                raise StaleState(_("Only an approved, unpaid request can be paid."))
            raise PermissionDenied
        community = request.community
        ledger_services.books_lock(community=community)
        committed = (
            ExpenseRequest.objects.filter(community=community, state=ExpenseState.APPROVED)
            .exclude(pk=request.pk)
            .aggregate(total=Sum("amount"))["total"]
            or Decimal("0")
        )
        available = ledger_selectors.posted_balance(community=community) - committed
        if request.amount > available:
            raise InsufficientBalance(amount=request.amount, available=available)

        def work():
            ledger_services.expense_post(
                actor=actor, community=community, amount=request.amount, date=paid_on, category=request.category,
                payee=request.payee, purpose=request.purpose, voucher_number=voucher_number, source_type="expense",
                source_id=request.pk, scan=scan,
            )
            request.paid_on = paid_on
            request.voucher_number = voucher_number
            request.mark_paid()
            _save(request)

        _perform(request, actor=actor, action=Action.PAY, work=work,
                 detail={"paid_on": paid_on.isoformat(), "voucher_number": voucher_number, "amount": str(request.amount)})
        _event(request, EventKind.PAID, actor_id=actor.pk, user_ids=_watchers(request))
    return request
