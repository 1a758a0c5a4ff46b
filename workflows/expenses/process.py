"""The expense process as the approvals app sees it (task list, task actions, shared pages)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def expense_process_kind():
    from workflows.approvals.registry import ProcessKind
    from workflows.expenses import selectors, services
    from workflows.expenses.flows import ExpenseFlow
    from workflows.expenses.models import ExpenseRequest
    from workflows.expenses.policy import Step

    def objects_for_processes(process_ids):
        return {r.process_id: r for r in ExpenseRequest.objects.select_related("community").filter(process_id__in=process_ids)}

    def objects_by_ids(ids):
        return ExpenseRequest.objects.select_related("community").in_bulk(ids)

    return ProcessKind(
        kind=services.KIND,
        label=_("Expense"),
        flow_class=ExpenseFlow,
        objects_for_processes=objects_for_processes,
        title=lambda r: r.title,
        url=lambda r: reverse("expense-detail", args=[r.pk]),
        state_label=lambda r: str(r.get_state_display()),
        actions={
            "approve": services.expense_task_approve,
            "reject": services.expense_task_reject,
            "return": services.expense_task_return,
            "transfer": services.expense_task_transfer,
        },
        submitted_by=lambda user: selectors.expense_list_for_user(user=user).filter(submitter=user),
        copied_to=lambda user: selectors.expense_list_for_user(user=user).filter(cc=user),
        objects_by_ids=objects_by_ids,
        step_label=lambda code: str(Step(code).label) if code in Step.values else code,
    )
