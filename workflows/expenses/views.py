"""Pages of the expense area. Thin: parse, call a selector or service, render."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from viewflow.workflow.flow.views.chart import FlowChartView

from workflows.approvals import services as approvals
from workflows.approvals.errors import RateLimited, StaleState
from workflows.expenses import permissions, selectors, services
from workflows.expenses.flows import ExpenseFlow
from workflows.expenses.states import ExpenseState
from workflows.ledger.categories import ExpenseCategory
from workflows.org.models import User


class ExpenseForm(forms.Form):
    community = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Community"), empty_label=None)
    amount = forms.CharField(label=gettext_lazy("Amount (¥)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=ExpenseCategory.choices)
    payee = forms.CharField(label=gettext_lazy("Payee"), max_length=150)
    purpose = forms.CharField(label=gettext_lazy("Purpose"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    cc = forms.ModelMultipleChoiceField(queryset=None, label=gettext_lazy("Copy to"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = selectors.communities_for_filing(user)
        self.fields["community"].queryset = communities
        self.fields["cc"].queryset = User.objects.filter(
            is_active=True, memberships__org_unit__in=[*communities, *[c.parent_id for c in communities]]
        ).exclude(pk=user.pk).distinct().order_by("id")


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def expense_new(request):
    if not permissions.can_file_any_expense(request.user):
        raise Http404
    form = ExpenseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expense = services.expense_create(
                actor=request.user, community=data["community"], amount=data["amount"], category=data["category"],
                payee=data["payee"], purpose=data["purpose"], cc=list(data["cc"]),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Expense request filed."))
            return redirect("expense-detail", pk=expense.pk)
    return render(request, "expenses/expense_form.html", {"form": form})


@login_required
def expense_list(request):
    state = request.GET.get("state") or None
    if state not in ExpenseState.values:
        state = None
    community = request.GET.get("community") or None
    expenses = selectors.expense_list_for_user(user=request.user, state=state, community_id=community)[:200]
    return render(request, "expenses/expense_list.html", {
        "expenses": expenses, "states": ExpenseState.choices, "selected_state": state,
    })


@login_required
def expense_detail(request, pk: int):
    expense = selectors.expense_get_for_user(user=request.user, pk=pk)
    return render(request, "expenses/expense_detail.html", {
        "expense": expense,
        "route": selectors.route_for_request(expense),
        "history": selectors.history_for(expense),
        "actions": selectors.actions_for(user=request.user, request=expense),
        "categories": ExpenseCategory.choices,
        "today": dt.date.today().isoformat(),
    })


@login_required
@require_POST
def expense_act(request, pk: int):
    expense = selectors.expense_get_for_user(user=request.user, pk=pk)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "").strip()
    user = request.user
    try:
        if action in ("approve", "reject", "return", "transfer"):
            fields = {"comment": comment}
            if action == "transfer":
                fields["to_user"] = request.POST.get("to_user")
            approvals.task_act(actor=user, task_id=request.POST.get("task"), action=action, **fields)
        elif action == "withdraw":
            services.expense_withdraw(actor=user, request=expense, comment=comment)
        elif action == "urge":
            services.expense_urge(actor=user, request=expense, comment=comment)
        elif action == "comment":
            services.expense_comment(actor=user, request=expense, comment=comment)
        elif action == "resubmit":
            services.expense_resubmit(
                actor=user, request=expense, amount=request.POST.get("amount"), category=request.POST.get("category"),
                payee=request.POST.get("payee"), purpose=request.POST.get("purpose"), comment=comment,
            )
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
        return super(FlowChartView, self).dispatch(request, *args, **kwargs)
