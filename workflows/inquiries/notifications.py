"""What an inquiry tells people, in its own words (registered notification kinds).

The engine already tells a role queue of a new task, a person of a task assigned to them, and
the street's supervisors when a route reaches the street; these are the inquiry's own events.
"""

from django.utils.translation import gettext_lazy as _

from notifications import kinds
from notifications.services import RoleQueue, notify
from workflows.org.roles import Role

PARAMS = frozenset({"title", "community", "due", "reason", "outcome", "actor"})


def _kind(code, label, title, body):
    return kinds.register(kinds.Kind(code, label, title, body, params=PARAMS))


ACKNOWLEDGED = _kind("inquiry.acknowledged", _("Inquiry acknowledged"), _("Acknowledged: %(title)s"),
                     _("%(community)s has acknowledged your inquiry; the answer is due by %(due)s."))
ANSWERED = _kind("inquiry.answered", _("Inquiry answered"), _("Answered: %(title)s"),
                 _("Your inquiry has an answer (%(outcome)s). Accept it or ask the street to review it by %(due)s."))
FINAL = _kind("inquiry.final", _("Final answer of the street"), _("Final answer: %(title)s"),
              _("The street has answered your inquiry (%(outcome)s); this answer is final."))
EXTENDED = _kind("inquiry.extended", _("Inquiry answer extended"), _("Answer extended: %(title)s"),
                 _("The answer is now due by %(due)s. Reason: %(reason)s"))
OVERDUE = _kind("inquiry.overdue", _("Inquiry escalated as overdue"), _("Overdue, sent to the street: %(title)s"),
                _("%(community)s did not answer in time; the inquiry went to the street (逾期自动上报). "
                  "The street's answer is due by %(due)s."))
ESCALATED = _kind("inquiry.escalated", _("Inquiry escalated by the resident"), _("Review asked: %(title)s"),
                  _("The resident asked the street to review the answer of %(community)s. Reason: %(reason)s"))
CLOSED = _kind("inquiry.closed", _("Inquiry closed"), _("Closed: %(title)s"), _("%(reason)s"))
URGED = _kind("inquiry.urged", _("Inquiry urged"), _("Please answer: %(title)s"),
              _("The resident is waiting for the answer, due by %(due)s."))

STREET_SUPERVISORS = (Role.STREET_REVIEWER, Role.STREET_LEADER)


def send(kind, inquiry, *, users=(), queues=(), **params) -> None:
    """One notification about `inquiry` (inside the caller's transaction; pushed after commit)."""
    from django.urls import reverse

    values = {"title": inquiry.title, "community": inquiry.community.name, **params}
    notify(kind=kind.code, params={k: str(v) for k, v in values.items() if v not in (None, "")},
           url=reverse("inquiry-detail", args=[inquiry.pk]), users=users, queues=queues)


def street_queues(inquiry) -> list[RoleQueue]:
    return [RoleQueue(role, inquiry.community.parent_id) for role in STREET_SUPERVISORS]


def community_queues(inquiry, roles=(Role.COMMUNITY_SECRETARY,)) -> list[RoleQueue]:
    return [RoleQueue(role, inquiry.community_id) for role in roles]
