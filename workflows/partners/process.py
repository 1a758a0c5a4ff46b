"""The partner application process as it declares itself to the approval engine, once."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workflows.approvals import actions
from workflows.approvals.deadlines import DeadlineRule
from workflows.approvals.registry import COMMUNITY, ProcessKind, StepDef
from workflows.approvals.reviews import REVIEW_STEPS, TO_STREET
from workflows.org.roles import Role
from workflows.partners.flows import PartnerFlow
from workflows.partners.models import Application
from workflows.partners.states import OPEN_STATES
from workflows.partners.steps import AGREEMENT, NOTICE, OBJECTION

KIND = "partner"

NOTICE_BASIS = _("local practice for public-interest selections: 5 working days, suspended while an objection is open")
NOTICE_RULE = DeadlineRule(5, unit="working", basis=NOTICE_BASIS, start="task_created", on_timeout="notice_end")

STEPS = (
    *REVIEW_STEPS,
    StepDef(NOTICE, Role.COMMUNITY_SECRETARY, COMMUNITY, _("Public notice"), wait=True, deadline=NOTICE_RULE,
            actions=()),
    StepDef(AGREEMENT, Role.COMMUNITY_SECRETARY, COMMUNITY, _("Agreement"), fallback=TO_STREET,
            actions=("agreement", "transfer")),
    StepDef(OBJECTION, Role.COMMUNITY_SECRETARY, COMMUNITY, _("Objection"), fallback=TO_STREET, side=True,
            actions=("uphold", "dismiss")),
)

OBJECT = actions.register(actions.ActionDef("object", _("Objection filed")))
SUSPEND = actions.register(actions.ActionDef("partner_suspend", _("Partner suspended")))
RESUME = actions.register(actions.ActionDef("partner_resume", _("Partner resumed")))
EXIT = actions.register(actions.ActionDef("partner_exit", _("Partner exited")))
TERM_REMINDER = actions.register(actions.ActionDef("term_reminder", _("Term-end reminder")))
ENROL = actions.register(actions.ActionDef("enrol_existing", _("Existing agreement recorded")))

CALL_PUBLISH = actions.register(actions.ActionDef("call_publish", _("Call published")))
CALL_CLOSE = actions.register(actions.ActionDef("call_close", _("Call closed")))

# History of a partner (its lifecycle after the agreement) and of a call are kept under these
# kind codes (they are not approval routes).
PARTNER_MEMBER = "partner_member"
PARTNER_CALL = "partner_call"


def _notice_rule(application: Application, step: StepDef) -> DeadlineRule | None:
    if step.code != NOTICE:
        return None
    return DeadlineRule(application.call.notice_working_days, unit="working", basis=NOTICE_BASIS,
                        start="task_created", on_timeout="notice_end")


PARTNER = ProcessKind(
    kind=KIND,
    label=_("partner application"),
    model=Application,
    flow_class=PartnerFlow,
    steps=STEPS,
    open_states=OPEN_STATES,
    actions=("approve", "reject", "return", "transfer", "uphold", "dismiss", "agreement"),
    title=lambda a: a.title,
    url=lambda a: reverse("partner-application-detail", args=[a.pk]),
    state_label=lambda a: str(a.get_state_display()),
    community_id=lambda a: a.community_id,
    street_id=lambda a: a.community.parent_id,
    community_name=lambda a: a.community.name,
    history_fields=lambda a: {"form_version": a.form_version.number if a.form_version_id else None},
    transitions={"approved": "sign", "rejected": "reject", "returned": "return_for_revision", "withdrawn": "withdraw"},
    select_related=("community", "call", "form_version"),
    submitted_by=lambda user: Application.objects.filter(submitter=user),
    deadline_for=_notice_rule,
)
