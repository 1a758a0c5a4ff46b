"""The room calendar: weekly slots expanded by rrule across holidays and make-up working days,
opening hours with extended and staggered windows, the conflict check (409 with every clash),
skipping the clashing dates, a hold that expires, and two racing requests of which one wins."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import close_old_connections, connection

from workflows.approvals import services as engine
from workflows.approvals.models import HistoryEntry
from workflows.leases import schedule
from workflows.leases.models import LeaseRequest, Occurrence
from workflows.leases.states import RequestState

from .helpers import NOW, TZ, file, leased, partner, room, slot

pytestmark = pytest.mark.django_db


def _dates(recurrence: str) -> list[dt.date]:
    return [o.date for o in schedule.expand(recurrence)]


def test_expansion_skips_statutory_holidays_but_keeps_make_up_working_days(demo):
    slots = schedule.parse_slots([slot((5, 6), "09:00", "11:00")])
    text = schedule.build_recurrence(slots, dt.date(2026, 9, 12), dt.date(2026, 10, 18), skip=set(),
                                     include_holidays=False)
    # Stored as RFC 5545: a weekly rule with its holidays as EXDATEs.
    assert "RRULE:FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20261018T090000" in text and "EXDATE:" in text
    assert _dates(text) == [
        dt.date(2026, 9, 12), dt.date(2026, 9, 13),
        dt.date(2026, 9, 19), dt.date(2026, 9, 20),   # Sunday 20 Sep: a make-up working day, kept
        # 26–27 Sep (Mid-autumn) and 3–4 Oct (National Day) are holidays: skipped
        dt.date(2026, 10, 10),                        # Saturday 10 Oct: a make-up working day, kept
        dt.date(2026, 10, 11), dt.date(2026, 10, 17), dt.date(2026, 10, 18),
    ]
    every = schedule.build_recurrence(slots, dt.date(2026, 9, 12), dt.date(2026, 10, 18), skip={dt.date(2026, 9, 13)},
                                      include_holidays=True)
    assert len(_dates(every)) == 11 and dt.date(2026, 10, 3) in _dates(every) and dt.date(2026, 9, 13) not in _dates(every)


def test_a_weekday_holiday_is_skipped_and_the_occurrences_carry_beijing_time(demo):
    slots = schedule.parse_slots([slot((3,), "18:30", "20:30")])
    occurrences = schedule.expand(schedule.build_recurrence(slots, dt.date(2026, 9, 24), dt.date(2026, 10, 15),
                                                            skip=set(), include_holidays=False))
    assert [o.date for o in occurrences] == [dt.date(2026, 9, 24), dt.date(2026, 10, 8), dt.date(2026, 10, 15)]
    first = occurrences[0]
    assert first.starts_at == dt.datetime(2026, 9, 24, 18, 30, tzinfo=TZ) and first.ends_at.hour == 20


def test_a_slot_outside_the_opening_hours_is_a_400_naming_the_slot_and_the_hours(demo, api_for):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        response = file(api_for(who.user), room(), who, slots=[slot((0,), "19:00", "21:00"),
                                                              slot((1, 6), "17:30", "19:00")])
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["slots.1"]
    # Tuesday's extended hours start at 18:00; Sunday has staggered and extended windows with a gap.
    assert any("17:30–19:00" in m and "18:00–21:30" in m for m in errors["slots.1"])
    assert len(errors["slots.1"]) == 2
    assert not LeaseRequest.objects.filter(service="少儿硬笔书法").exists()


def test_bad_fields_are_400s_per_field_and_nothing_is_written(demo, api_for, communities):
    who = partner()
    api = api_for(who.user)
    with time_machine.travel(NOW, tick=False):
        too_long = file(api, room(), who, ends_on="2030-09-15")
        assert "ends_on" in too_long.json() and too_long.status_code == 400
        capped = file(api, room(), who, hourly_rate="35.01")   # 70% of ¥50 is ¥35
        assert capped.status_code == 400 and "35.00" in capped.json()["hourly_rate"][0]
        own = file(api, room("heping", "会议室"), who)
        assert own.status_code == 400 and "room" in own.json()
        other = file(api, room("gubu", "书画室"), who)
        assert other.status_code == 400 and "room" in other.json()
        form = file(api, room(), who, data={})
        assert form.status_code == 400 and any(k.startswith("data.") for k in form.json())
    assert not LeaseRequest.objects.filter(service="少儿硬笔书法").exists()


def test_a_conflict_is_a_409_listing_every_clashing_date_and_the_lease(demo, api_for, users):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        existing = leased(users, room(), partner("茶语文创工作室"), slots=[slot((0,), "19:30", "21:00")],
                          starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 30))
        response = file(api_for(who.user), room(), who, slots=[slot((0, 2), "19:00", "20:00")])
    assert response.status_code == 409
    conflicts = response.json()["conflicts"]
    # Mondays 21 and 28 September (the lease ends on the 30th; 15 Sep is a Tuesday start).
    assert [(c["date"], c["starts"], c["ends"], c["lease"]) for c in conflicts] == [
        ("2026-09-21", "19:00", "20:00", existing.contract_number),
        ("2026-09-28", "19:00", "20:00", existing.contract_number),
    ]
    assert existing.contract_number.startswith("和平租〔2026〕第 ")
    assert not LeaseRequest.objects.filter(service="少儿硬笔书法").exists()


def test_skip_conflicts_leaves_the_clashing_dates_out_and_keeps_them_on_the_request(demo, api_for, users):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        existing = leased(users, room(), partner("茶语文创工作室"), slots=[slot((0,), "19:30", "21:00")],
                          starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 30))
        response = file(api_for(who.user), room(), who, slots=[slot((0,), "19:00", "20:00")], skip_conflicts=True)
        assert response.status_code == 201, response.json()
        created = response.json()
        calendar = api_for(who.user).get(f"/api/rooms/{room().pk}/calendar/?from=2026-09-14&to=2026-10-12").json()
    # Mondays from 21 Sep to 26 Oct, less 21 and 28 Sep (clashes) and 5 Oct (National Day).
    assert created["occurrences"] == 3 and created["state"] == "reviewing"
    assert [(c["date"], c["lease"]) for c in created["conflict_skips"]] == [
        ("2026-09-21", existing.contract_number), ("2026-09-28", existing.contract_number)]
    mine = [o for o in calendar["occurrences"] if o["request"] == created["id"]]
    assert [o["date"] for o in mine] == ["2026-10-12"] and mine[0]["state"] == "held"
    assert {s["date"] for s in calendar["skipped"] if s["request"] == created["id"]} == {"2026-09-21", "2026-09-28"}


def test_a_hold_expires_after_ten_working_days_and_frees_the_slots(demo, api_for, users):
    who = partner()
    with time_machine.travel(NOW, tick=False):
        created = file(api_for(who.user), room(), who).json()
    request = LeaseRequest.objects.get(pk=created["id"])
    # Ten working days from Monday 14 September: 15–18, 21–24, 28, 29 September (25 Sep is a
    # holiday, Sunday 20 Sep a working day: 15,16,17,18,20,21,22,23,24,28) → 24:00 on 28 September.
    assert request.held_until == dt.datetime(2026, 9, 29, 0, 0, tzinfo=TZ)
    with time_machine.travel(dt.datetime(2026, 9, 28, 23, 0, tzinfo=TZ), tick=False):
        engine.deadlines_sweep()
    assert LeaseRequest.objects.get(pk=request.pk).state == RequestState.REVIEWING
    with time_machine.travel(dt.datetime(2026, 9, 29, 0, 30, tzinfo=TZ), tick=False):
        counts = engine.deadlines_sweep()
        assert counts.get("process_timers", 0) >= 1
        # The same slot is free for someone else now.
        again = file(api_for(partner("茶语文创工作室").user), room(), partner("茶语文创工作室"),
                     starts_on="2026-10-12", ends_on="2026-10-31")
    assert LeaseRequest.objects.get(pk=request.pk).state == RequestState.EXPIRED
    assert not Occurrence.objects.filter(request=request).exists()
    assert again.status_code == 201, again.json()
    assert HistoryEntry.objects.filter(process_kind="lease", process_id=request.pk, action="hold_expire",
                                       actor=None).exists()
    secretary_tasks = api_for(users["heping_secretary"]).get("/api/tasks/").json()["results"]
    assert not [t for t in secretary_tasks if t["process"] == {"kind": "lease", "id": request.pk}]


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_for_one_slot_exactly_one_wins(demo):
    # PostgreSQL: the room row lock (and the exclusion constraint behind it); SQLite: its write
    # lock taken at BEGIN IMMEDIATE serialises the two transactions the same way.
    from workflows.leases import services
    from workflows.leases.demo import FORM_DATA

    barrier = threading.Barrier(2)
    results: list = []
    who = [partner(), partner("茶语文创工作室")]

    def run(the_partner):
        close_old_connections()
        try:
            barrier.wait(timeout=10)
            services.request_file(actor=the_partner.user, room=room(), partner=the_partner, service="抢同一时段",
                                  starts_on=dt.date(2026, 9, 15), ends_on=dt.date(2026, 10, 31),
                                  slots=[slot((0,), "19:00", "21:00")], price_model="low", data=dict(FORM_DATA))
            results.append("won")
        except services.LeaseConflict as exc:
            results.append(("lost", len(exc.conflicts)))
        finally:
            connection.close()

    with time_machine.travel(NOW, tick=False):
        threads = [threading.Thread(target=run, args=(p,)) for p in who]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert sorted(results, key=str) == sorted(["won", ("lost", 5)], key=str)
    assert LeaseRequest.objects.filter(service="抢同一时段").count() == 1
    assert Occurrence.objects.filter(request__service="抢同一时段").count() == 5


def test_on_postgresql_an_exclusion_constraint_refuses_an_overlap_that_skipped_the_check(demo, api_for):
    from django.db import IntegrityError, transaction

    if connection.vendor != "postgresql":
        # SQLite has no exclusion constraints: the migration adds none, and the room lock and
        # the check are the guard (the race test above).
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'leases_occurrence'")
            assert "gist" not in cursor.fetchone()[0].lower()
        return
    who = partner()
    with time_machine.travel(NOW, tick=False):
        created = file(api_for(who.user), room(), who).json()
    occurrence = Occurrence.objects.filter(request_id=created["id"]).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Occurrence.objects.create(room=occurrence.room, request_id=created["id"], date=occurrence.date,
                                  starts_at=occurrence.starts_at + dt.timedelta(minutes=30),
                                  ends_at=occurrence.ends_at + dt.timedelta(minutes=30))
