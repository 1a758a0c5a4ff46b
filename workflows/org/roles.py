"""The role vocabulary of the design notes. Stored by code; never rename a code casually."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STREET_LEADER = "street_leader", _("Street leader")
    STREET_REVIEWER = "street_reviewer", _("Street reviewer")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    COMMUNITY_COMMITTEE = "community_committee", _("Community committee member")
    COMMUNITY_STAFF = "community_staff", _("Community enterprise staff")
    PARTNER = "partner", _("Community partner")
    RESIDENT = "resident", _("Resident")
    ADMIN = "admin", _("Administrator")


# Roles held at street level; all others are held in one community. Admin may be either.
STREET_ROLES = frozenset({Role.STREET_LEADER, Role.STREET_REVIEWER, Role.ADMIN})
COMMUNITY_ROLES = frozenset(
    {Role.COMMUNITY_SECRETARY, Role.COMMUNITY_COMMITTEE, Role.COMMUNITY_STAFF, Role.PARTNER, Role.RESIDENT, Role.ADMIN}
)
# Roles whose holders work inside the community's books (see its internal data).
COMMUNITY_WORK_ROLES = frozenset({Role.COMMUNITY_SECRETARY, Role.COMMUNITY_COMMITTEE, Role.COMMUNITY_STAFF})
