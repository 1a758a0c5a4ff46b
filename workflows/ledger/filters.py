"""Parsing of the ledger's query filters, shared by the API and the page so both say the same."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from project.params import parse_id
from workflows.ledger.categories import LineKind


@dataclass(frozen=True)
class LedgerFilters:
    community_id: int | None = None
    line: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def parse_ledger_filters(params) -> tuple[LedgerFilters, dict[str, str]]:
    """Read `community`, `line`, `from`, `to` from a QueryDict; return the filters and field errors."""
    errors: dict[str, str] = {}
    community_id = None
    raw = (params.get("community") or "").strip()
    if raw:
        community_id = parse_id(raw)
        if community_id is None:
            errors["community"] = _("Enter a community id.")
    line = (params.get("line") or "").strip() or None
    if line is not None and line not in LineKind.values:
        errors["line"] = _("Choose income or expense.")
        line = None
    dates = {}
    for key in ("from", "to"):
        raw = (params.get(key) or "").strip()
        dates[key] = None
        if raw:
            try:
                dates[key] = dt.date.fromisoformat(raw)
            except ValueError:
                errors[key] = _("Enter a date as YYYY-MM-DD.")
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = _("The end date is before the start date.")
    return LedgerFilters(community_id, line, dates["from"], dates["to"]), errors
