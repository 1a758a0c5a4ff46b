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
