"""The lease area's figures for the dashboard, the public page and the reports.

Imported (and registered) by `apps.py` only when `workflows.leases` is installed. It adapts the
lease area's selectors to `providers.FiguresProvider`; nothing else here names the lease app.

From `workflows.leases.selectors` (each a fixed number of queries, whatever the number of
communities): `leases_ending` (Lease rows with room and partner loaded), `arrears` (per community
`{"rent", "charity"}`), `charity_by_month` (per community and month 1–12), `revenue_reported` (per community) and `week_timetable` (one entry per
day with its items).

A shape that differs is adapted here, in this one file.
"""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from workflows.supervision.providers import LeaseEnding, TimetableSlot

ZERO = Decimal("0.00")


class LeaseFigures:
    key = "leases"

    def __init__(self):
        from workflows.leases import selectors

        self.selectors = selectors

    def leases_ending(self, community_ids, today, days=30):
        found: dict[int, list[LeaseEnding]] = {cid: [] for cid in community_ids}
        for lease in self.selectors.leases_ending(community_ids, today, days=days):
            found.setdefault(lease.community_id, []).append(LeaseEnding(
                community_id=lease.community_id, lease_id=lease.pk, partner=lease.partner.public_name,
                room=lease.room.name, ends_on=lease.ends_on, url=reverse("lease-detail", args=[lease.pk])))
        return found

    def arrears(self, community_ids, today):
        raw = self.selectors.arrears(community_ids, today)
        return {cid: {"rent": raw.get(cid, {}).get("rent", ZERO), "charity": raw.get(cid, {}).get("charity", ZERO)}
                for cid in community_ids}

    def charity_by_month(self, community_ids, year):
        return self.selectors.charity_by_month(community_ids, year)

    def revenue_reported(self, community_ids, year):
        return self.selectors.revenue_reported(community_ids, year)

    def week_timetable(self, community_id, week_start):
        slots = []
        for day in self.selectors.week_timetable(community_id, week_start):
            for item in day["items"]:
                what = " · ".join(part for part in (item["partner"], item["service"]) if part)
                slots.append(TimetableSlot(room=item["room"], weekday=day["date"].weekday(),
                                           starts=dt.time.fromisoformat(item["starts"]),
                                           ends=dt.time.fromisoformat(item["ends"]), what=what))
        return slots
