"""The lease request process as it declares itself to the approval engine, once."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workflows.approvals import actions
from workflows.approvals.registry import COMMUNITY, ProcessKind, StepDef
from workflows.approvals.reviews import REVIEW_STEPS, TO_STREET
from workflows.leases.flows import LeaseFlow
from workflows.leases.models import LeaseRequest
from workflows.leases.states import OPEN_STATES, RequestState
from workflows.leases.steps import CONTRACT
from workflows.org.roles import Role

KIND = "lease"
# History of a lease after signing (rent, reports, remittances, the end) is kept under this kind.
LEASE_CONTRACT = "lease_contract"

STEPS = (
    *REVIEW_STEPS,
    # The secretary signs the contract; signing is her act for the community even when she
    # reviewed the request herself, so the "previous signer" rule does not apply.
    StepDef(CONTRACT, Role.COMMUNITY_SECRETARY, COMMUNITY, _("Contract"), fallback=TO_STREET,
            actions=("sign", "reject", "transfer")),
)

HOLD_EXPIRE = actions.register(actions.ActionDef("hold_expire", _("Hold expired")))
RENT_PAID = actions.register(actions.ActionDef("rent_paid", _("Rent payment recorded")))
REPORT_FILED = actions.register(actions.ActionDef("revenue_report", _("Revenue reported")))
REMITTED = actions.register(actions.ActionDef("remittance", _("Charity remittance recorded")))
LEASE_EXPIRE = actions.register(actions.ActionDef("lease_expire", _("Lease expired")))
LEASE_TERMINATE = actions.register(actions.ActionDef("lease_terminate", _("Lease terminated")))
LEASE_RENEW = actions.register(actions.ActionDef("lease_renew", _("Renewal requested")))
LEASE_REMIND = actions.register(actions.ActionDef("lease_remind", _("Reminder sent")))
LEASE_SIGNED = actions.register(actions.ActionDef("lease_signed", _("Contract signed")))


def _watchers(request: LeaseRequest) -> tuple[int, ...]:
    return (request.submitter_id, request.partner.user_id)


LEASE = ProcessKind(
    kind=KIND,
    label=_("lease request"),
    model=LeaseRequest,
    flow_class=LeaseFlow,
    steps=STEPS,
    open_states=OPEN_STATES,
    actions=("approve", "reject", "return", "transfer", "sign"),
    title=lambda r: r.title,
    url=lambda r: reverse("lease-request-detail", args=[r.pk]),
    state_label=lambda r: str(r.get_state_display()),
    community_id=lambda r: r.community_id,
    street_id=lambda r: r.community.parent_id,
    community_name=lambda r: r.community.name,
    watchers=_watchers,
    history_fields=lambda r: {"form_version": r.form_version.number if r.form_version_id else None,
                              "policy_version": r.guideline.version if r.guideline_id else None},
    transitions={"approved": "sign", "rejected": "reject", "returned": "return_for_revision", "withdrawn": "withdraw"},
    select_related=("community", "room", "partner", "guideline", "form_version"),
    submitted_by=lambda user: LeaseRequest.objects.filter(submitter=user).exclude(state=RequestState.DRAFT),
    search_fields=("service",),
    sweep="workflows.leases.services.lease_sweep",
)
