"""Every write of the expense area: the authority table, filing, resubmitting, paying.

The route itself (who holds a step, the edge rules, countersign, decisions, history and
events) is the approval engine's: these services call `workflows.approvals.services` with the
request locked, inside their own transaction.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from project import uploads
from project.storage import keeps_files_only_on_success
from project.text import check_free_text, free_text_problem
from workflows.approvals import actions, history, route
from workflows.approvals import services as approvals
from workflows.approvals.errors import StaleState
from workflows.approvals.events import EventKind
from workflows.expenses import permissions, selectors
from workflows.expenses.models import AuthorityPolicy, AuthorityRule, ExpenseAttachment, ExpenseRequest
from workflows.expenses.policy import PolicyRowIn
from workflows.expenses.process import EXPENSE, PAY
from workflows.expenses.rules import parse_amount, policy_in_force, route_steps
from workflows.expenses.states import ExpenseState
from workflows.ledger.categories import ExpenseCategory
from workflows.org.models import Community, Street, User


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


# --- validation ------------------------------------------------------------------------------


def _check_fields(*, category: str, payee: str, purpose: str) -> None:
    errors = {}
    if category not in ExpenseCategory.values:
        errors["category"] = _("Choose one of the listed categories.")
    if not payee.strip():
        errors["payee"] = _("Enter the payee.")
    elif len(payee) > 150:
        errors["payee"] = _("At most 150 characters.")
    elif problem := free_text_problem(payee):
        errors["payee"] = problem
    if not purpose.strip():
        errors["purpose"] = _("Describe what the money is for.")
    elif len(purpose) > 500:
        errors["purpose"] = _("At most 500 characters.")
    elif problem := free_text_problem(purpose):
        errors["purpose"] = problem
    if errors:
        raise ValidationError(errors)


# --- authority policy ------------------------------------------------------------------------


def extra_form_for(community: Community):
    """The street's published expense.extra form version (or the global one, or None)."""
    from forms.selectors import published_version_for

    return published_version_for(purpose="expense.extra", street=community.parent_id)


def validate_extra(*, community: Community, actor: User, extra=None, files=None, prefix: str | None = None):
    """(version, cleaned data) of the filing form's extra part; errors keyed `extra.<field>`."""
    from forms.services import embedded_validate

    return embedded_validate(purpose="expense.extra", street=community.parent_id, actor=actor, data=extra,
                             files=files, prefix=prefix)


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


def _lock(request_id: int) -> ExpenseRequest:
    # of=self: PostgreSQL cannot lock the nullable side of the extra_form outer join.
    return ExpenseRequest.objects.select_for_update(of=("self",)).select_related(*EXPENSE.select_related).get(pk=request_id)


# --- filing ----------------------------------------------------------------------------------


@keeps_files_only_on_success
def expense_create(
    *, actor: User, community: Community, amount, category: str, payee: str, purpose: str, cc=(),
    extra: dict | None = None, files=None, extra_prefix: str | None = None, attachments=(),
) -> ExpenseRequest:
    """File a request. The filing form is the core fields plus the street's published
    expense.extra form (`extra`: its JSON data, or the page's post read with `extra_prefix`)."""
    amount = parse_amount(amount)
    _check_fields(category=category, payee=payee, purpose=purpose)
    if not permissions.can_file_expense(actor, community):
        raise ValidationError({"community": _("You cannot file expenses for this community.")})
    extra_form, extra_data = validate_extra(community=community, actor=actor, extra=extra, files=files, prefix=extra_prefix)
    cc_ids = {getattr(u, "pk", u) for u in cc}
    # Only people who work on this community's books or sign at its street: a copy opens the
    # request to its reader.
    cc_users = list(selectors.cc_candidates(communities=[community]).filter(pk__in=cc_ids))
    if len(cc_users) != len(cc_ids):
        raise ValidationError({"cc": _("Copy only people of this community or its street.")})
    _check_attachments(attachments)
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
        _store_attachments(request, attachments, actor=actor)

        def submit():
            request.submit()
            history.save_checked(request)

        approvals.route_start(EXPENSE, request, actor=actor, action=actions.SUBMIT.code, before=submit,
                              detail={"amount": str(amount), "steps": steps})
        if cc_users:
            approvals.process_cc(EXPENSE, request, actor=actor, users=cc_users)
    return request


@keeps_files_only_on_success
def expense_resubmit(
    *, actor: User, request: ExpenseRequest, amount=None, category: str | None = None, payee: str | None = None,
    purpose: str | None = None, comment: str = "", extra: dict | None = None, files=None,
    extra_prefix: str | None = None, attachments=(),
) -> ExpenseRequest:
    """`extra`, when given, replaces the extra fields; it is validated against the form version
    the request was filed with (like the authority table, the form version stays). As in
    `expense_create`, `extra` is JSON data or the page's post read with `extra_prefix`."""
    check_free_text(comment, field="comment")
    _check_attachments(attachments)
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
        _store_attachments(request, attachments, actor=actor)

        def resubmit():
            request.resubmit()
            history.save_checked(request)

        approvals.route_start(EXPENSE, request, actor=actor, action=actions.RESUBMIT.code, before=resubmit,
                              comment=comment, detail={"changes": changes, "steps": request.steps})
        route.emit(EXPENSE, request, EventKind.RESUBMITTED, actor=actor, comment=comment)
    return request


MAX_ATTACHMENTS = 10


def _check_attachments(attachments) -> None:
    """Invoices and photos: images and PDF by the one upload policy, at most MAX_ATTACHMENTS."""
    attachments = list(attachments or ())
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(n)s files.") % {"n": MAX_ATTACHMENTS}})
    for upload in attachments:
        client_name = (getattr(upload, "name", "") or "")[:200]
        problem = uploads.field_error(upload, kinds=uploads.SCAN_KINDS)
        if problem:
            raise ValidationError({"attachments": [f"{client_name}: {m}" for m in problem]})


def _store_attachments(request: ExpenseRequest, attachments, *, actor: User) -> None:
    for upload in attachments or ():
        ExpenseAttachment.objects.create(request=request, file=upload, uploaded_by=actor, round=request.round,
                                         client_name=getattr(upload, "client_name", "")[:200])


# --- request actions: the engine's, with the expense's own permission checks -------------------


def expense_withdraw(*, actor: User, request: ExpenseRequest, comment: str = "") -> ExpenseRequest:
    check_free_text(comment, field="comment")
    with transaction.atomic():
        request = _lock(request.pk)
        approvals.process_withdraw(EXPENSE, request, actor=actor, comment=comment)
    return request


def expense_urge(*, actor: User, request: ExpenseRequest, comment: str = "") -> ExpenseRequest:
    check_free_text(comment, field="comment")
    with transaction.atomic():
        request = _lock(request.pk)
        approvals.process_urge(EXPENSE, request, actor=actor, comment=comment)
    return request


def expense_comment(*, actor: User, request: ExpenseRequest, comment: str) -> ExpenseRequest:
    comment = approvals.clean_comment(comment)
    with transaction.atomic():
        request = _lock(request.pk)
        if not permissions.can_view_expense(actor, request):
            raise PermissionDenied
        approvals.process_comment(EXPENSE, request, actor=actor, comment=comment)
    return request


@keeps_files_only_on_success
def expense_pay(*, actor: User, request: ExpenseRequest, paid_on: dt.date, voucher_number: str, scan=None) -> ExpenseRequest:
    """Pay an approved request and post it to the expense line of the community's books."""
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
    if scan:
        # Refused before any lock is taken; ledger.expense_post checks it again where it is stored.
        try:
            uploads.accept_upload(scan, kinds=uploads.SCAN_KINDS)
        except uploads.UploadRefused as exc:
            errors["scan"] = exc.messages
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
        available = selectors.balance_of(community=community, exclude_pk=request.pk).available
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
            history.save_checked(request)

        approvals.perform(EXPENSE, request, actor=actor, action=PAY.code, work=work,
                          detail={"paid_on": paid_on.isoformat(), "voucher_number": voucher_number,
                                  "amount": str(request.amount)})
        route.emit(EXPENSE, request, EventKind.PAID, actor=actor, user_ids=route.watchers(EXPENSE, request))
    return request
