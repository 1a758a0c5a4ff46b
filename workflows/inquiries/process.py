"""The inquiry process as it declares itself to the approval engine, once."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workflows.approvals.deadlines import PROCESS_FILED, TASK_CREATED, DeadlineRule
from workflows.approvals.registry import COMMUNITY, STREET, ProcessKind, StepDef
from workflows.inquiries.flows import ACKNOWLEDGE, ANSWER, STREET_REVIEW, InquiryFlow
from workflows.inquiries.models import Inquiry, InquiryState
from workflows.org.roles import Role

KIND = "inquiry"

BASIS_ANSWER = _("Regulations on Open Government Information, Art. 33")
BASIS_PETITION = _("Regulations on Letters and Visits, Arts. 32–35")

# Acknowledge within 3 working days. A queue that lets it pass is deemed to have acknowledged
# (视为受理): the statutory answer clock runs from filing either way, and its escalation must not
# wait on a receipt nobody gave.
ACKNOWLEDGE_RULE = DeadlineRule(3, unit="working", basis=BASIS_PETITION, start=TASK_CREATED,
                                on_timeout="acknowledge", remind_before=(1,))
# The answer: ANSWER_WORKING_DAYS working days from filing; past it the inquiry goes to the
# street by itself ("逾期自动上报").
ANSWER_RULE = DeadlineRule(settings.ANSWER_WORKING_DAYS, unit="working", basis=BASIS_ANSWER, start=PROCESS_FILED,
                           on_timeout="overdue_escalate", remind_before=(3,))
# The street answers an escalated inquiry within 20 working days; its answer is final.
STREET_RULE = DeadlineRule(20, unit="working", basis=BASIS_PETITION, start=TASK_CREATED, remind_before=(3,))
# The resident has 10 working days to accept or escalate; silence closes the inquiry as accepted.
RESIDENT_REPLY_WORKING_DAYS = 10
MAX_EXTENSION_WORKING_DAYS = 20

_TO_STREET = (Role.STREET_REVIEWER, STREET)

STEPS = (
    StepDef(ACKNOWLEDGE, Role.COMMUNITY_STAFF, COMMUNITY, _("Acknowledge"), queue=True,
            queue_roles=(Role.COMMUNITY_SECRETARY,), deadline=ACKNOWLEDGE_RULE, signs=False),
    StepDef(ANSWER, Role.COMMUNITY_SECRETARY, COMMUNITY, _("Answer"), fallback=_TO_STREET,
            deadline=ANSWER_RULE),
    StepDef(STREET_REVIEW, Role.STREET_REVIEWER, STREET, pgettext_lazy("inquiry step", "Street review"), queue=True, deadline=STREET_RULE),
)
COMMUNITY_ROUND = [ACKNOWLEDGE, ANSWER]
STREET_ROUND = [STREET_REVIEW]

OPEN_STATES = (InquiryState.OPEN, InquiryState.ESCALATED)


INQUIRY = ProcessKind(
    kind=KIND,
    label=_("resident inquiry"),
    model=Inquiry,
    flow_class=InquiryFlow,
    steps=STEPS,
    open_states=OPEN_STATES,
    actions=("acknowledge", "answer", "extend", "claim", "transfer"),
    title=lambda i: i.title,
    url=lambda i: reverse("inquiry-detail", args=[i.pk]),
    state_label=lambda i: str(i.get_state_display()),
    community_id=lambda i: i.community_id,
    street_id=lambda i: i.community.parent_id,
    community_name=lambda i: i.community.name,
    # The resident hears of her inquiry in the inquiry's own words (notifications.py), not as an
    # approval's "step approved".
    watchers=lambda i: (),
    transitions={"approved": "route_done"},
    select_related=("community",),
    submitted_by=lambda user: Inquiry.objects.filter(submitter=user).exclude(state=InquiryState.DRAFT),
    sweep="workflows.inquiries.services.silence_sweep",
)
