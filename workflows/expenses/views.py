"""Pages of the expense area. Thin: parse, call a selector or service, render."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from viewflow.workflow.flow.views.chart import FlowChartView

from project.http import user_file_response
from project.params import parse_id
from workflows.approvals import services as approvals
from workflows.approvals.errors import RateLimited, StaleState
from workflows.expenses import permissions, selectors, services
from workflows.expenses.flows import ExpenseFlow
from workflows.expenses.policy import Step
from workflows.expenses.process import EXPENSE
from workflows.expenses.states import ExpenseState
from workflows.ledger.categories import ExpenseCategory
from workflows.org.roles import Role


class ExpenseForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Community"), empty_label=None)
    amount = forms.CharField(label=gettext_lazy("Amount (¥)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=ExpenseCategory.choices)
    payee = forms.CharField(label=gettext_lazy("Payee"), max_length=150)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    # A list of names to tick (a phone shows every one, unlike a multi-select box), limited to the
    # people who work on this community's books or sign at the street.
    cc = forms.ModelMultipleChoiceField(queryset=None, label=gettext_lazy("Copy to"), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = selectors.communities_for_filing(user)
        self.fields["community"].queryset = communities
        self.fields["cc"].queryset = selectors.cc_candidates(communities=list(communities)).exclude(pk=user.pk)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _extra_form(request):
    """The street's published expense.extra form, embedded in the filing page with prefix "extra"."""
    from forms import builder

    community = selectors.communities_for_filing(request.user).first()
    version = services.extra_form_for(community) if community else None
    if version is None:
        return None, None, None
    form = builder.form_class_for(version)(
        data=request.POST or None, files=request.FILES or None, user=request.user, prefix="extra"
    )
    return version, form, builder.client_logic(builder.schema_of(version), prefix="extra")


@login_required
def expense_new(request):
    if not permissions.can_file_any_expense(request.user):
        raise Http404
    form = ExpenseForm(request.POST or None, user=request.user)
    extra_version, extra_form, extra_logic = _extra_form(request)
    extra_ok = extra_form is None or not extra_form.is_bound or extra_form.is_valid()
    attachment_errors = []
    if request.method == "POST" and form.is_valid() and extra_ok:
        data = form.cleaned_data
        try:
            expense = services.expense_create(
                actor=request.user, community=data["community"], amount=data["amount"], category=data["category"],
                payee=data["payee"], purpose=data["purpose"], cc=list(data["cc"]),
                extra=request.POST, files=request.FILES, extra_prefix="extra",
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "attachments" in exc.error_dict:
                # Shown beside the file input, not at the top of the form.
                attachment_errors = exc.message_dict["attachments"]
                exc.error_dict.pop("attachments")
            if hasattr(exc, "error_dict") and extra_form is not None:
                for key, errors in list(exc.message_dict.items()):
                    if key.startswith("extra."):
                        name = key.removeprefix("extra.")
                        extra_form.add_error(name if name in extra_form.fields else None, errors)
                        exc.error_dict.pop(key)
            if not hasattr(exc, "error_dict") or exc.error_dict:
                _apply_errors(form, exc)
        else:
            messages.success(request, _("Expense request filed."))
            return redirect("expense-detail", pk=expense.pk)
    return render(request, "expenses/expense_form.html", {
        "form": form, "extra_version": extra_version, "extra_form": extra_form, "extra_logic": extra_logic,
        "balances": selectors.balances_for(user=request.user), "attachment_errors": attachment_errors,
    })


@login_required
def expense_list(request):
    state = request.GET.get("state") or None
    if state not in ExpenseState.values:
        state = None
    raw = request.GET.get("community") or None
    # The same id parser as the API: an id the database cannot hold is a 400, never a 500.
    community = parse_id(raw) if raw is not None else None
    if raw is not None and community is None:
        return render(request, "expenses/expense_list.html", {
            "expenses": [], "states": ExpenseState.choices, "selected_state": state,
            "filter_error": _("Enter a community id."),
        }, status=400)
    search, errors = selectors.parse_expense_search(request.GET)
    expenses = selectors.expense_list_for_user(user=request.user, state=state, community_id=community,
                                               search=search)[:200]
    values = {k: request.GET[k] for k in ("q", "date_from", "date_to", "amount_min", "amount_max") if request.GET.get(k)}
    return render(request, "expenses/expense_list.html", {
        "expenses": expenses, "states": ExpenseState.choices, "selected_state": state,
        "search_values": values, "search_errors": errors,
    }, status=400 if errors else 200)


def _labelled(history):
    states = dict(ExpenseState.choices)
    rows = list(history)
    for row in rows:
        row.step_label = Step(row.step).label if row.step in Step.values else row.step
        row.state_before_label = states.get(row.state_before, row.state_before)
        row.state_after_label = states.get(row.state_after, row.state_after)
    return rows


def _resubmit_extra_form(request, expense, *, bound: bool):
    """The resubmit box's extra form: the version the request was filed with, never the one
    published now. Unbound, it shows the stored data (bound to it, its checks run only to settle
    which conditional fields show, and their messages are not shown)."""
    from forms import builder

    if not expense.extra_form_id:
        return None, None
    version = expense.extra_form
    schema = builder.schema_of(version)
    if bound:
        data, files = request.POST, request.FILES
    else:
        data, files = MultiValueDict(), None
        for name, values in builder.flatten(schema, expense.extra or {}).lists():
            data.setlist(f"extra-{name}", values)
    form = builder.form_class_for(version)(data=data, files=files, user=request.user, prefix="extra")
    if not bound:
        form.is_valid()
        form._errors = ErrorDict()
    return form, builder.client_logic(schema, prefix="extra")


def _render_detail(request, expense, *, resubmit_form=None, resubmit_logic=None, status: int = 200,
                   confirm: dict | None = None):
    extra_sections = None
    if expense.extra_form_id:
        from forms import builder

        # Rendered with the exact form version it was filed against, whatever is published now.
        extra_sections = builder.display(builder.schema_of(expense.extra_form), expense.extra)
    actions = selectors.actions_for(user=request.user, request=expense)
    if actions.get("resubmit") and resubmit_form is None:
        resubmit_form, resubmit_logic = _resubmit_extra_form(request, expense, bound=False)
    return render(request, "expenses/expense_detail.html", {
        "expense": expense,
        "extra_sections": extra_sections,
        "resubmit_extra_form": resubmit_form,
        "resubmit_extra_logic": resubmit_logic,
        "route": selectors.route_for_request(expense),
        "history": _labelled(selectors.history_for(expense)),
        "actions": actions,
        "categories": ExpenseCategory.choices,
        "today": dt.date.today().isoformat(),
        "confirm": confirm,
        "attachments": list(expense.attachments.all()),
    }, status=status)


@login_required
def expense_detail(request, pk: int):
    return _render_detail(request, selectors.expense_get_for_user(user=request.user, pk=pk))


def _resubmit(request, expense, comment: str):
    """Resubmit from the page; bad input re-renders the page with the messages inline."""
    try:
        services.expense_resubmit(
            actor=request.user, request=expense, amount=request.POST.get("amount"),
            category=request.POST.get("category"), payee=request.POST.get("payee"),
            purpose=request.POST.get("purpose"), comment=comment,
            extra=request.POST if expense.extra_form_id else None, files=request.FILES, extra_prefix="extra",
            attachments=request.FILES.getlist("attachments"),
        )
    except ValidationError as exc:
        form, logic = _resubmit_extra_form(request, expense, bound=True)
        if form is not None:
            form.is_valid()  # the same checks the service ran, so the messages land on their fields
        other = []
        for key, errors in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
            name = key.removeprefix("extra.") if key and key.startswith("extra.") else None
            if form is not None and name is not None:
                if name not in form.errors:
                    form.add_error(name if name in form.fields else None, errors)
            else:
                other.extend(errors)
        if other:
            messages.error(request, " ".join(other))
        return _render_detail(request, expense, resubmit_form=form, resubmit_logic=logic)
    return None


@login_required
@require_POST
def expense_act(request, pk: int):
    expense = selectors.expense_get_for_user(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "").strip()
    user = request.user
    if action in ("reject", "withdraw") and not request.POST.get("confirmed"):
        # Ending a request is asked twice, on the server, so it needs no script: the page comes
        # back with a confirmation carrying the comment.
        if action == "reject" and not comment:
            messages.error(request, _("Give a reason."))
            return redirect("expense-detail", pk=expense.pk)
        return _render_detail(request, expense, confirm={"action": action, "comment": comment,
                                                          "task": request.POST.get("task", "")})
    try:
        if approvals.is_task_action(action):
            approvals.task_act_from_form(actor=user, task_id=request.POST.get("task"), action=action, data=request.POST)
        elif action == "withdraw":
            services.expense_withdraw(actor=user, request=expense, comment=comment)
        elif action == "urge":
            services.expense_urge(actor=user, request=expense, comment=comment)
        elif action == "comment":
            services.expense_comment(actor=user, request=expense, comment=comment)
        elif action == "resubmit":
            page = _resubmit(request, expense, comment)
            if page is not None:
                return page
        elif action == "pay":
            try:
                paid_on = dt.date.fromisoformat(request.POST.get("paid_on", ""))
            except ValueError:
                raise ValidationError({"paid_on": _("Enter the payment date.")}) from None
            services.expense_pay(actor=user, request=expense, paid_on=paid_on,
                                 voucher_number=request.POST.get("voucher_number", ""), scan=request.FILES.get("scan"))
        else:
            raise Http404
    except (StaleState, RateLimited, services.InsufficientBalance) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Done."))
    return redirect("expense-detail", pk=expense.pk)


@login_required
def expense_attachment(request, pk: int, attachment_pk: int):
    """An attachment of a request, to whoever may see the request (served by the one file
    response: its type from the stored content, images and PDF inline, sandboxed)."""
    expense = selectors.expense_get_for_user(user=request.user, pk=pk)
    attachment = selectors.attachment_of(expense, attachment_pk)
    return user_file_response(request, attachment.file, filename=attachment.client_name)


@login_required
def expense_sheet(request, pk: int):
    """审批单: the request, its route and every decision on one printable page (A4), for the
    paper archive. The same scope as the request page."""
    expense = selectors.expense_get_for_user(user=request.user, pk=pk)
    extra_sections = None
    if expense.extra_form_id:
        from forms import builder

        extra_sections = builder.display(builder.schema_of(expense.extra_form), expense.extra)
    return render(request, "expenses/expense_sheet.html", {
        "expense": expense, "extra_sections": extra_sections, "route": selectors.route_for_request(expense),
        "history": _labelled(selectors.history_for(expense)), "printed_at": timezone.localtime(),
    })


@login_required
def expense_flow(request, pk: int | None = None):
    """The approval flow in the site's layout: the declared steps (for a request, its route with
    the current step marked) as a list on a phone, viewflow's chart on wider screens."""
    if not permissions.can_view_flow_chart(request.user):
        raise Http404
    expense = None
    if pk is not None:
        expense = selectors.expense_get_for_user(user=request.user, pk=pk)
        steps = selectors.route_for_request(expense)
    else:
        steps = [{"step": s.code, "label": s.label, "role_label": Role(s.role).label, "countersign": s.countersign,
                  "org_unit": {"name": ""}, "status": ""} for s in EXPENSE.steps]
    return render(request, "expenses/flow.html", {"expense": expense, "steps": steps})


@method_decorator(login_required, name="dispatch")
class ExpenseChartView(FlowChartView):
    """viewflow's own chart of the flow (SVG); for one request it marks the steps taken.

    viewflow gates its chart with `<app>.view_process`; here the expense rules decide instead:
    anyone who works with expenses sees the flow, a request's chart follows the request's scope.
    """

    flow_class = ExpenseFlow

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_view_flow_chart(request.user):
            raise Http404
        if "pk" in kwargs:
            expense = selectors.expense_get_for_user(user=request.user, pk=kwargs.pop("pk"))
            if expense.process_id is None:
                raise Http404
            kwargs["process_pk"] = expense.process_id
        response = super(FlowChartView, self).dispatch(request, *args, **kwargs)
        # viewflow's SVG styles itself inline; it carries no script, and this policy allows none.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return response
