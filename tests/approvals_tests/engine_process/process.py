"""The ticket process as it declares itself to the approval engine, once."""

from django.utils.translation import gettext_lazy as _

from tests.approvals_tests.engine_process.flows import COMMITTEE, DESK, REVIEW, TicketFlow
from tests.approvals_tests.engine_process.models import Ticket, TicketState
from workflows.approvals.deadlines import DeadlineRule
from workflows.approvals.registry import COMMUNITY, STREET, ProcessKind, StepDef
from workflows.org.roles import Role

KIND = "engine_ticket"

_STREET_REVIEWER = (Role.STREET_REVIEWER, STREET)

# Three working days for the secretary; then the street reviewer takes the task over.
REVIEW_DEADLINE = DeadlineRule(3, unit="working", basis=_("engine test rule"), start="task_created",
                               on_timeout="escalate", remind_before=(1,))

STEPS = (
    StepDef(REVIEW, Role.COMMUNITY_SECRETARY, COMMUNITY, _("Review"), fallback=_STREET_REVIEWER,
            deadline=REVIEW_DEADLINE, escalate_to=_STREET_REVIEWER),
    StepDef(COMMITTEE, Role.COMMUNITY_COMMITTEE, COMMUNITY, _("Committee"), countersign=True),
    StepDef(DESK, Role.STREET_REVIEWER, STREET, _("Street desk"), queue=True),
)
ALL_STEPS = [s.code for s in STEPS]

TICKET = ProcessKind(
    kind=KIND,
    label=_("Engine test ticket"),
    model=Ticket,
    flow_class=TicketFlow,
    steps=STEPS,
    open_states=(TicketState.PENDING,),
    actions=("approve", "reject", "return", "transfer", "claim", "reply"),
    title=lambda t: t.text[:60],
    url=lambda t: f"/engine-tickets/{t.pk}/",
    state_label=lambda t: str(t.get_state_display()),
    community_id=lambda t: t.community_id,
    street_id=lambda t: t.community.parent_id,
    community_name=lambda t: t.community.name,
    select_related=("community",),
    submitted_by=lambda user: Ticket.objects.filter(submitter=user),
)
