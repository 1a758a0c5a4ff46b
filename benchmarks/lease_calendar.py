"""Benchmark: the lease conflict check and the room calendar.

1. The conflict check for a 3-year, twice-weekly request (Tue/Thu 18:30–20:30, ~300 occurrences)
   against a room with 50 active leases (~7,800 occurrences): rrule expansion, the window query
   and the sorted merge of `schedule.overlaps`, beside a baseline in the same run — the same
   comparison as a nested loop (every wanted occurrence against every taken one).
2. The room calendar (`GET /api/rooms/{id}/calendar/` for one month) at 10 and at 500 leases of
   the room: its query count must be the same at both sizes.

Run from the project root with the project's virtualenv:

    python benchmarks/lease_calendar.py                                    # SQLite
    DATABASE_URL=postgres://user@127.0.0.1:5432/postgres python benchmarks/lease_calendar.py

Scratch database only (SQLite in a temporary folder; PostgreSQL BENCH_DATABASE_NAME, default
"bench_gongying_leases", created and dropped by Django's test-database machinery). Bounded loops.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import _scratch  # noqa: E402  (the scratch database every benchmark runs on; this script's folder is on the path)

SAMPLE = int(os.environ.get("BENCH_SAMPLE", "5"))   # timed runs per figure


def main() -> None:
    with _scratch.database("leases", web=True) as connection:
        run(connection)


def _timed(fn, sample: int = SAMPLE) -> tuple[float, object]:
    times, result = [], None
    for _ in range(sample):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def run(connection) -> None:
    import datetime as dt
    import warnings
    from decimal import Decimal

    from django.test import Client

    from fixtures.loader import load_org
    from workflows.leases import schedule, services
    from workflows.leases.demo import ensure_guideline, ensure_rates
    from workflows.leases.models import Lease, LeaseRequest, Occurrence
    from workflows.org.models import Room
    from workflows.partners import services as partner_services

    warnings.filterwarnings("ignore", message="No directory at")
    org = load_org("benchmark")
    guideline = ensure_guideline(org["street"])
    ensure_rates()
    community, secretary = org["communities"]["heping"], org["users"]["heping_secretary"]
    partner = partner_services.partner_enrol_existing(
        actor=secretary, community=community, user=org["users"]["resident_li"], kind="organisation",
        name="基准测试合伙人", services=[{"name": "课程", "category": "education", "paid": "paid"}],
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2030, 12, 31))
    starts, ends = dt.date(2027, 1, 4), dt.date(2029, 12, 30)
    next_sequence = iter(range(1, 100000))

    def add_leases(room: Room, count: int, *, minutes: int, first_month_only: bool = False) -> None:
        """`count` leases of `room`, each one weekly slot of `minutes` minutes, side by side in the
        week (rows written directly: the figures are about reading them, not filing them)."""
        slots_per_day = (24 * 60 - 13 * 60) // minutes if minutes >= 60 else (24 * 60 - 7 * 60) // minutes
        occurrences = []
        for i in range(count):
            day, index = i % 7, (i // 7) % slots_per_day
            # From 13:00: the first fifty hour-long slots reach into the evening the request asks for.
            start_minute = (13 * 60 if minutes >= 60 else 7 * 60) + index * minutes
            begin = dt.time(start_minute // 60, start_minute % 60)
            end_minute = start_minute + minutes
            finish = dt.time(end_minute // 60, end_minute % 60) if end_minute < 24 * 60 else dt.time(23, 59)
            term_end = starts + dt.timedelta(days=34) if first_month_only else ends
            slot = schedule.Slot((day,), begin, finish)
            text = schedule.build_recurrence([slot], starts, term_end, skip=set(), include_holidays=True)
            request = LeaseRequest.objects.create(
                community=community, room=room, partner=partner, submitter=secretary, service=f"课程 {i}",
                starts_on=starts, ends_on=term_end, slots=[slot.as_dict()], recurrence=text, price_model="free",
                guideline=guideline, steps=["community_review", "contract"], state="signed")
            sequence = next(next_sequence)
            lease = Lease.objects.create(
                request=request, community=community, room=room, partner=partner, service=request.service,
                contract_number=f"基准租〔2027〕第 {sequence:05d} 号", year=2027, sequence=sequence,
                signed_on=starts, signed_by=secretary, starts_on=starts, ends_on=term_end, price_model="free",
                hourly_rate=Decimal("0"))
            occurrences += [Occurrence(room=room, request=request, lease=lease, date=o.date, starts_at=o.starts_at,
                                       ends_at=o.ends_at) for o in schedule.expand(text)]
            if len(occurrences) > 5000:
                Occurrence.objects.bulk_create(occurrences, batch_size=1000)
                occurrences = []
        Occurrence.objects.bulk_create(occurrences, batch_size=1000)

    # --- 1. the conflict check -----------------------------------------------------------------
    busy = Room.objects.get(community=community, name="书法室")
    add_leases(busy, 50, minutes=60)
    taken_rows = Occurrence.objects.filter(room=busy).count()
    wanted_slots = schedule.parse_slots([{"weekdays": [1, 3], "starts": "18:30", "ends": "20:30"}])

    def check():
        text = schedule.build_recurrence(wanted_slots, starts, ends, skip=set(), include_holidays=False)
        return services._clashes(busy.pk, schedule.expand(text))

    def nested_loop():
        text = schedule.build_recurrence(wanted_slots, starts, ends, skip=set(), include_holidays=False)
        wanted = schedule.expand(text)
        taken = list(Occurrence.objects.filter(room=busy).values_list("starts_at", "ends_at", "lease_id"))
        return [(w, t) for w in wanted for t in taken if t[0] < w.ends_at and w.starts_at < t[1]]

    wanted_count = len(schedule.expand(schedule.build_recurrence(wanted_slots, starts, ends, skip=set(),
                                                                 include_holidays=False)))
    expand_ms, _ = _timed(lambda: schedule.expand(schedule.build_recurrence(wanted_slots, starts, ends, skip=set(),
                                                                            include_holidays=False)))
    check_ms, clashes = _timed(check)
    naive_ms, naive = _timed(nested_loop, sample=max(1, SAMPLE // 2))
    assert len(clashes) == len({id(w) for w, _t in naive}) or len(clashes) == len({w.starts_at for w, _t in naive})
    print(f"backend: {connection.vendor}")
    print(f"conflict check: {wanted_count} wanted occurrences (3 years, Tue/Thu 18:30–20:30) against "
          f"{taken_rows} occurrences of 50 active leases in one room")
    print(f"  expansion (rrule, holidays as EXDATE)   {expand_ms:8.1f} ms")
    print(f"  full check (expansion + query + merge)  {check_ms:8.1f} ms  → {len(clashes)} clashes")
    print(f"  baseline: nested-loop comparison        {naive_ms:8.1f} ms  → {len({w.starts_at for w, _t in naive})} clashes")

    # --- 2. the room calendar's query count -------------------------------------------------------
    client = Client()
    client.force_login(secretary)
    month = "from=2027-01-04&to=2027-02-03"
    figures = []
    for size, room_name in ((10, "培训教室"), (500, "会议室")):
        room = Room.objects.get(community=community, name=room_name)
        room.for_lease = True
        room.save(update_fields=["for_lease"])
        add_leases(room, size, minutes=10 if size > 100 else 60, first_month_only=True)
        url = f"/api/rooms/{room.pk}/calendar/?{month}"
        client.get(url)  # warm: sessions, memberships cache
        # Counted by an execute wrapper: the test client's request_started signal resets the
        # connection's query log, which would hide the request's queries from CaptureQueriesContext.
        executed: list[str] = []

        def counting(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        ms, _ = _timed(lambda url=url: client.get(url))
        figures.append((size, len(executed), len(response.json()["occurrences"]), ms))
    print("room calendar, one month (GET /api/rooms/{id}/calendar/):")
    for size, count, rows, ms in figures:
        print(f"  {size:4d} leases: {count:2d} queries, {rows:5d} occurrences, {ms:7.1f} ms")
    print(f"  query count constant: {figures[0][1] == figures[1][1]}")


if __name__ == "__main__":
    main()
