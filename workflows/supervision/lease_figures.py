"""The lease area's figures for the dashboard, the public page and the reports.

Imported (and registered) by `apps.py` only when `workflows.leases` is installed. It adapts the
lease area's selectors to `providers.FiguresProvider`; nothing else here names the lease app.

Expected from `workflows.leases.selectors` (one aggregate query per call, whatever the number of
communities):

- `leases_ending(community_ids, today, days=30)` → iterable of rows (mapping or object) with
  `community_id`, `id` (or `lease_id`), `partner` (public name), `room`, `ends_on`, optional `url`;
- `arrears(community_ids, today)` → `{community_id: {"rent": Decimal, "charity": Decimal}}`;
- `charity_tally(community_ids, year)` → `{community_id: {"revenue": Decimal, "due": Decimal,
  "remitted": Decimal, "months": {1..12: {"due": Decimal, "remitted": Decimal}}}}`;
- `week_timetable(community_id, week_start)` → iterable of rows with `room`, `weekday` (0 =
  Monday), `starts`, `ends`, `what` (the partner's public name or the activity).

A shape that differs is adapted here, in this one file.
"""

from decimal import Decimal

from workflows.supervision.providers import LeaseEnding, TimetableSlot

ZERO = Decimal("0.00")


def _get(row, name, default=None):
    if isinstance(row, dict):
        return row.get(name, default)
    return getattr(row, name, default)


class LeaseFigures:
    key = "leases"

    def __init__(self):
        from workflows.leases import selectors

        self.selectors = selectors

    def leases_ending(self, community_ids, today, days=30):
        found: dict[int, list[LeaseEnding]] = {cid: [] for cid in community_ids}
        for row in self.selectors.leases_ending(community_ids, today, days=days):
            cid = _get(row, "community_id")
            found.setdefault(cid, []).append(LeaseEnding(
                community_id=cid, lease_id=_get(row, "lease_id", _get(row, "id")),
                partner=str(_get(row, "partner", "")), room=str(_get(row, "room", "")),
                ends_on=_get(row, "ends_on"), url=_get(row, "url", "") or ""))
        return found

    def arrears(self, community_ids, today):
        raw = self.selectors.arrears(community_ids, today)
        return {cid: {"rent": (raw.get(cid) or {}).get("rent", ZERO), "charity": (raw.get(cid) or {}).get("charity", ZERO)}
                for cid in community_ids}

    def _tally(self, community_ids, year):
        return self.selectors.charity_tally(community_ids, year) or {}

    def charity_by_month(self, community_ids, year):
        tally = self._tally(community_ids, year)
        return {cid: {m: {"due": ((tally.get(cid) or {}).get("months") or {}).get(m, {}).get("due", ZERO),
                          "remitted": ((tally.get(cid) or {}).get("months") or {}).get(m, {}).get("remitted", ZERO)}
                      for m in range(1, 13)}
                for cid in community_ids}

    def revenue_reported(self, community_ids, year):
        tally = self._tally(community_ids, year)
        return {cid: (tally.get(cid) or {}).get("revenue", ZERO) for cid in community_ids}

    def week_timetable(self, community_id, week_start):
        return [TimetableSlot(room=str(_get(r, "room", "")), weekday=int(_get(r, "weekday", 0)), starts=_get(r, "starts"),
                              ends=_get(r, "ends"), what=str(_get(r, "what", "")))
                for r in self.selectors.week_timetable(community_id, week_start)]
