"""The area's notification kinds (the engine's events cover the route itself)."""

from django.utils.translation import gettext_lazy as _


def register_kinds() -> None:
    from notifications import kinds

    kinds.register(kinds.Kind(
        "partner.objection_answered", _("Your objection was answered"),
        _("Objection answered: %(title)s"),
        _("Outcome: %(outcome)s. Reply: %(reply)s"),
        params=frozenset({"title", "outcome", "reply"}),
    ))
    kinds.register(kinds.Kind(
        "partner.term_ending", _("Partner agreement ends soon"),
        _("Agreement ends soon: %(title)s"),
        _("Agreement %(number)s ends on %(ends_on)s. Renew it or prepare the exit."),
        params=frozenset({"title", "number", "ends_on"}),
    ))
