"""The lease pages: the room week view, the public "what's on" page and charity tally (no login,
no personal data), the iCalendar feed, the request form's inline messages, and access."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from workflows.leases.models import Lease

from .helpers import NOW, TZ, leased, partner, room, slot

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_room_week_shows_each_day_with_its_hours_and_slots_in_chinese(demo, users):
    with time_machine.travel(NOW, tick=False):
        lease = leased(users, room(), partner(), slots=[slot((0,), "19:00", "21:00")], starts_on=dt.date(2026, 9, 15),
                       ends_on=dt.date(2026, 10, 31), service="周一书法夜校")
        page = client_for(users["heping_staff"]).get(f"/leases/rooms/{lease.room_id}/week/?week=2026-09-21")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="day-2026-09-21"' in text and 'data-testid="day-2026-09-27"' in text
    assert "19:00–21:00 周一书法夜校" in text and "延时" in text and "星期一" in text
    assert "leases/leases.css" in text and "<script" not in text.split("</header>")[-1]


def test_the_public_timetable_lists_active_services_by_room_and_time_without_login_or_personal_data(demo, users):
    with time_machine.travel(NOW, tick=False):
        leased(users, room(), partner(), slots=[slot((0,), "19:00", "21:00")], starts_on=dt.date(2026, 9, 15),
               ends_on=dt.date(2026, 10, 31), service="周一书法夜校")
        page = Client().get("/public/heping/timetable/?week=2026-10-05")
    text = page.content.decode()
    assert page.status_code == 200
    # Monday 5 October is National Day (no session, marked as a holiday); the 12th has one.
    assert "周一书法夜校" not in text.split('data-testid="day-2026-10-06"')[0].split('data-testid="day-2026-10-05"')[1]
    assert "节假日" in text
    following = Client().get("/public/heping/timetable/?week=2026-10-12").content.decode()
    assert "19:00–21:00 <strong>周一书法夜校</strong>" in following and "墨韵书法工作室" in following
    assert "13800138123" not in following and "张老师" not in following
    assert Client().get("/public/nowhere/timetable/").status_code == 404


def test_the_public_charity_tally_needs_no_login(demo):
    page = Client().get("/public/guilin/charity/")
    text = page.content.decode()
    assert page.status_code == 200 and "桂林瑜伽工作室" in text and 'data-testid="total-outstanding"' in text
    assert "慈善分成公示" in text


def test_the_room_feed_is_an_icalendar_of_the_rooms_occurrences(demo, users, api_for):
    target = Lease.objects.filter(room__community__code="fenghuang", service="长者国画班").get()
    response = api_for(users["fenghuang_secretary"]).get(f"/api/rooms/{target.room_id}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    mine = [e for e in events if "长者国画班" in str(e["summary"])]
    assert mine and all(e.decoded("dtstart").astimezone(TZ).hour == 19 for e in mine)
    assert all(str(e["status"]) == "CONFIRMED" for e in mine)
    assert api_for(users["gubu_secretary"]).get(f"/api/rooms/{target.room_id}/calendar.ics").status_code == 404


def test_the_request_form_shows_the_conflicts_inline_and_files_with_skip(demo, users):
    partner_user = users["partner_qiyeshu"] if "partner_qiyeshu" in users else partner("七叶树下文祯图书中心").user
    painting = room("fenghuang", "绘画室")
    today = dt.date.today()
    starts = today.replace(day=1) - dt.timedelta(days=60)
    form = {"partner": str(partner("七叶树下文祯图书中心").pk), "room": str(painting.pk), "service": "亲子绘本课",
            "starts_on": starts.isoformat(), "ends_on": (starts + dt.timedelta(days=120)).isoformat(),
            "slot0_days": ["1", "3"], "slot0_starts": "18:30", "slot0_ends": "20:30", "price_model": "low",
            "data-contact_name": "李莉", "data-contact_mobile": "13800138000", "data-expected_participants": "10",
            "data-target": "young"}
    client = client_for(partner_user)
    assert client.get("/leases/requests/new/").status_code == 200
    first = client.post("/leases/requests/new/", form)
    assert first.status_code == 409 and 'data-testid="conflicts"' in first.content.decode()
    assert "和平租" not in first.content.decode() and "凤凰租〔" in first.content.decode()
    bad = client.post("/leases/requests/new/", {**form, "slot0_starts": "17:00"})
    assert bad.status_code == 400 and "不在该场室" in bad.content.decode()
    done = client.post("/leases/requests/new/", {**form, "skip_conflicts": "on"})
    assert done.status_code == 302 and "/leases/requests/" in done["Location"]


def test_someone_elses_lease_and_room_are_404(demo, users):
    lease = Lease.objects.filter(community__code="heping").first()
    outsider = client_for(users["gubu_staff"])
    assert outsider.get(f"/leases/{lease.pk}/").status_code == 404
    assert outsider.get(f"/leases/{lease.pk}/contract/").status_code == 404
    assert outsider.get(f"/leases/rooms/{lease.room_id}/week/").status_code == 404
    assert client_for(users["heping_staff"]).get(f"/leases/{lease.pk}/").status_code == 200
