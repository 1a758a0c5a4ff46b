"""The demo reproduces the seed's leases."""

from decimal import Decimal

from django.db.models import Sum

from workflows.leases.models import Lease, LeaseRequest, RevenueReport
from workflows.leases.states import LeaseState, RequestState
from workflows.org.models import Room


def test_the_leased_rooms_add_up_to_the_seeds_1011_square_metres(demo):
    rooms = Room.objects.filter(pk__in=Lease.objects.filter(state=LeaseState.ACTIVE).values("room_id"))
    assert rooms.aggregate(total=Sum("area_m2"))["total"] == Decimal("1011.00")
    assert rooms.values("community").distinct().count() == 6


def test_the_seeds_services_are_leased_in_their_rooms(demo):
    leases = {(lease.community.code, lease.room.name, lease.service) for lease in Lease.objects.select_related(
        "community", "room")}
    assert ("yanshan", "心理咨询室", "二胡小班教学") in leases
    assert ("fenghuang", "绘画室", "暑期作业托管班") in leases
    assert ("heping", "培训教室", "叉车司机培训") in leases
    services = {service for *_x, service in leases}
    assert {"硬笔书法培训", "芭蕾形体课", "茶饮文创", "银发合唱团培育"} <= services


def test_the_demo_has_reports_one_partner_in_arrears_and_one_request_on_hold(demo):
    from workflows.leases import selectors

    assert RevenueReport.objects.count() >= 3 * 15
    ids = [c.pk for c in demo["communities"].values()]
    owed = selectors.arrears(ids, selectors.dt.date.today())
    in_arrears = [code for code, c in demo["communities"].items() if owed[c.pk]["rent"] > 0]
    assert in_arrears == ["guilin"] and owed[demo["communities"]["guilin"].pk]["charity"] > 0
    held = LeaseRequest.objects.filter(state=RequestState.REVIEWING)
    assert held.count() == 1 and held.get().community.code == "nanshan" and held.get().occurrences.exists()


def test_the_walkthrough_partner_can_log_in(demo):
    from workflows.partners.models import Partner

    user = Partner.objects.get(public_name="七叶树下文祯图书中心").user
    assert user.username == "partner_fenghuang_18" and user.has_usable_password()


def test_the_selectors_for_the_dashboard_answer_per_community(demo):
    import datetime as dt

    from workflows.leases import selectors

    today = dt.date.today()
    ids = [c.pk for c in demo["communities"].values()]
    every_end = sorted({lease.ends_on for lease in Lease.objects.all()})
    ending = selectors.leases_ending(ids, every_end[0] - dt.timedelta(days=10), days=30)
    assert ending and all(lease.state == "active" for lease in ending)
    assert selectors.leases_ending(ids, today, days=0) == [] or all(
        lease.ends_on == today for lease in selectors.leases_ending(ids, today, days=0))
    owed = selectors.arrears(ids, today)
    assert set(owed) == set(ids) and all(set(v) == {"rent", "charity"} for v in owed.values())
    tally = selectors.charity_tally(ids, today.year if today.month > 3 else None)
    assert tally["totals"]["due"] == tally["totals"]["remitted"] + tally["totals"]["outstanding"]
    assert {row["community"] for row in tally["rows"]} >= {"fenghuang", "guilin"}
    fenghuang = demo["communities"]["fenghuang"].pk
    week = selectors.week_timetable(fenghuang, today - dt.timedelta(days=today.weekday()))
    assert len(week) == 7 and any(item["service"] == "瑜伽课" for day in week for item in day["items"])


def test_the_demo_sends_no_lease_reminder_ahead_of_its_time(demo):
    """The inquiry demo runs the deadline sweep with its clock set past an inquiry's deadlines;
    only the inquiry timers may run then. Any lease timer run with that clock would tell rent,
    reports and shares as overdue days or weeks early (it did: 157 reminders, 332 notices)."""
    from notifications.models import Notification
    from workflows.approvals.models import HistoryEntry
    from workflows.inquiries.models import Inquiry
    from workflows.leases.process import LEASE_CONTRACT, LEASE_REMIND

    assert Inquiry.objects.filter(state="escalated").exists()  # the time-travelled sweep did run
    assert not HistoryEntry.objects.filter(process_kind=LEASE_CONTRACT, action=LEASE_REMIND.code).exists()
    assert not Notification.objects.filter(kind__startswith="lease.").exists()
