"""The expense process as it declares itself to the approval engine, once."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workflows.approvals import actions
from workflows.approvals.registry import COMMUNITY, STREET, ProcessKind, StepDef
from workflows.expenses.flows import ExpenseFlow
from workflows.expenses.models import ExpenseRequest
from workflows.expenses.policy import Step
from workflows.expenses.states import ExpenseState
from workflows.org.roles import Role

KIND = "expense"

# A step nobody holds in the community goes to the street reviewer (the street supervises).
_TO_STREET = (Role.STREET_REVIEWER, STREET)

STEPS = (
    StepDef(Step.COMMUNITY_SECRETARY.value, Role.COMMUNITY_SECRETARY, COMMUNITY, Step.COMMUNITY_SECRETARY.label,
            fallback=_TO_STREET),
    StepDef(Step.COMMUNITY_COMMITTEE.value, Role.COMMUNITY_COMMITTEE, COMMUNITY, Step.COMMUNITY_COMMITTEE.label,
            countersign=True, fallback=_TO_STREET),
    StepDef(Step.STREET_REVIEWER.value, Role.STREET_REVIEWER, STREET, Step.STREET_REVIEWER.label, fallback=_TO_STREET),
    StepDef(Step.STREET_LEADER.value, Role.STREET_LEADER, STREET, Step.STREET_LEADER.label, fallback=_TO_STREET),
)

PAY = actions.register(actions.ActionDef("pay", _("Paid")))


def _watchers(request: ExpenseRequest) -> tuple[int, ...]:
    """Submitter and CC: told of decisions."""
    return (request.submitter_id, *request.cc.values_list("id", flat=True))


def _history_fields(request: ExpenseRequest) -> dict:
    return {"policy_version": request.policy.version,
            "form_version": request.extra_form.number if request.extra_form_id else None}


EXPENSE = ProcessKind(
    kind=KIND,
    label=_("expense request"),
    model=ExpenseRequest,
    flow_class=ExpenseFlow,
    steps=STEPS,
    open_states=(ExpenseState.PENDING,),
    actions=("approve", "reject", "return", "transfer"),
    title=lambda r: r.title,
    url=lambda r: reverse("expense-detail", args=[r.pk]),
    state_label=lambda r: str(r.get_state_display()),
    community_id=lambda r: r.community_id,
    street_id=lambda r: r.community.parent_id,
    community_name=lambda r: r.community.name,
    search_fields=("payee", "purpose", "submitter__display_name", "community__name"),
    watchers=_watchers,
    history_fields=_history_fields,
    select_related=("community", "policy", "extra_form"),
    # Your own filings, and what was copied to you: a copy opens the request to its reader.
    submitted_by=lambda user: ExpenseRequest.objects.filter(submitter=user),
    copied_to=lambda user: ExpenseRequest.objects.filter(cc=user),
)
