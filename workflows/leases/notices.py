"""The area's notification kinds (the engine's events cover the route itself)."""

from django.utils.translation import gettext_lazy as _


def register_kinds() -> None:
    from notifications import kinds

    kinds.register(kinds.Kind(
        "lease.rent_overdue", _("Rent overdue"), _("Rent overdue: %(title)s"),
        _("Rent of %(month)s (%(amount)s) was due on %(due_on)s and is unpaid."),
        params=frozenset({"title", "month", "amount", "due_on"}),
    ))
    kinds.register(kinds.Kind(
        "lease.report_missing", _("Revenue report missing"), _("Revenue report missing: %(title)s"),
        _("The revenue report of %(month)s has not been filed."),
        params=frozenset({"title", "month"}),
    ))
    kinds.register(kinds.Kind(
        "lease.share_unpaid", _("Charity share unpaid"), _("Charity share unpaid: %(title)s"),
        _("%(amount)s of the charity share of %(month)s is still to be remitted to 鹤山市慈善会."),
        params=frozenset({"title", "month", "amount"}),
    ))
    kinds.register(kinds.Kind(
        "lease.escalated", _("Lease arrears escalated"), _("Escalated: %(title)s"),
        _("%(what)s of %(month)s is still outstanding after the reminder."),
        params=frozenset({"title", "what", "month"}),
    ))
    kinds.register(kinds.Kind(
        "lease.term_ending", _("Lease ends soon"), _("Lease ends soon: %(title)s"),
        _("Contract %(number)s ends on %(ends_on)s. Renew it (a new request) or let it end."),
        params=frozenset({"title", "number", "ends_on"}),
    ))
    kinds.register(kinds.Kind(
        "lease.ended", _("Lease ended"), _("Lease ended: %(title)s"),
        _("Contract %(number)s ended on %(ended_on)s. %(reason)s"),
        params=frozenset({"title", "number", "ended_on", "reason"}),
    ))
