import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import holidays
import pytest
import time_machine
from django.utils import translation

from workflows.org.calendar import (
    add_calendar_days,
    add_working_days,
    is_provisional_year,
    is_working_day,
    provisional_year_warnings,
    working_days_between,
)
from workflows.org.models import CalendarOverride, CalendarYear

D = dt.date.fromisoformat
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_national_day_week_is_skipped_and_the_make_up_saturday_counts(db):
    # 2025: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up working days.
    assert add_working_days(D("2025-09-30"), 1) == D("2025-10-09")
    assert add_working_days(D("2025-09-27"), 1) == D("2025-09-28")
    assert add_working_days(D("2025-10-09"), 2) == D("2025-10-11")


def test_counting_backwards_and_zero_days(db):
    assert add_working_days(D("2025-10-09"), -1) == D("2025-09-30")
    assert add_working_days(D("2025-10-09"), 0) == D("2025-10-09")


def test_working_days_between_counts_the_days_after_the_start(db):
    assert working_days_between(D("2025-09-30"), D("2025-10-09")) == 1
    assert working_days_between(D("2025-10-09"), D("2025-09-30")) == -1
    assert working_days_between(D("2026-11-23"), D("2026-11-30")) == 5
    assert working_days_between(D("2026-11-23"), D("2026-11-23")) == 0


def test_an_admin_override_beats_the_official_schedule(db):
    assert is_working_day(D("2025-10-09"))
    CalendarOverride.objects.create(date=D("2025-10-09"), is_working_day=False, note="街道停电")
    assert not is_working_day(D("2025-10-09"))
    assert add_working_days(D("2025-09-30"), 1) == D("2025-10-10")
    CalendarOverride.objects.create(date=D("2025-10-04"), is_working_day=True, note="集中办公")
    assert add_working_days(D("2025-09-30"), 1) == D("2025-10-04")


def test_years_the_package_does_not_know_fall_back_to_weekdays(db):
    # 2099-01-02 is a Friday; the next working day by the fallback is Monday the 5th.
    assert add_working_days(D("2099-01-02"), 1) == D("2099-01-05")
    assert working_days_between(D("2099-01-02"), D("2099-01-09")) == 5


# --- sources of a day's status: official, provisional, overrides ---------------------------------


def _days(year):
    day = D(f"{year}-01-01")
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("year", [2025, 2026])
def test_chinesecalendar_and_the_holidays_package_agree_on_every_day_of_the_announced_years(year):
    # The provisional source must reproduce the official one wherever both know the year, or
    # a provisional deadline would be wrong for reasons beyond "make-up days not announced yet".
    schedule = holidays.China(years=year)
    disagreements = [d for d in _days(year) if chinese_calendar.is_workday(d) != schedule.is_working_day(d)]
    assert disagreements == []
    official_make_up = {d for d in _days(year) if d.weekday() >= 5 and chinese_calendar.is_workday(d)}
    assert official_make_up == {d for d in schedule.weekend_workdays if d.year == year}


def test_2026_follows_the_official_schedule_with_its_make_up_saturdays(db):
    # Spring Festival 2026: off Sunday 15 – Monday 23 February; Saturdays 14 and 28 February work.
    assert is_working_day(D("2026-02-14"))
    assert not any(is_working_day(D("2026-02-15") + dt.timedelta(days=i)) for i in range(9))
    assert is_working_day(D("2026-02-24"))
    assert is_working_day(D("2026-02-28"))
    assert not is_provisional_year(2026)


def test_2027_is_provisional_and_uses_the_holidays_packages_festivals(db):
    assert is_provisional_year(2027)
    # Spring Festival 2027 per the holidays package: Friday 5 – Wednesday 10 February.
    assert [is_working_day(D("2027-02-04") + dt.timedelta(days=i)) for i in range(8)] == [
        True, False, False, False, False, False, False, True,
    ]  # fmt: skip
    # The package does not know 2027's make-up days, so weekends stay weekends.
    assert not is_working_day(D("2027-02-20"))


def test_marking_a_year_entered_ends_its_provisional_status_but_not_its_days(db, users):
    CalendarYear.objects.create(year=2027, official_entered=True, entered_by=users["admin"])
    assert not is_provisional_year(2027)
    assert not is_working_day(D("2027-02-08"))
    # A row that is not marked entered (a note in progress) keeps the year provisional.
    CalendarYear.objects.create(year=2028, official_entered=False)
    assert is_provisional_year(2028)


def test_an_override_makes_a_holiday_a_working_day_in_an_official_and_a_provisional_year(db):
    CalendarOverride.objects.create(date=D("2026-10-05"), is_working_day=True, note="集中办公")
    CalendarOverride.objects.create(date=D("2027-02-10"), is_working_day=True, note="调休上班")
    assert is_working_day(D("2026-10-05"))
    assert is_working_day(D("2027-02-10"))
    assert add_working_days(D("2026-09-30"), 1) == D("2026-10-05")
    assert add_working_days(D("2027-02-04"), 1) == D("2027-02-10")


def test_an_override_makes_a_working_day_a_rest_day_in_an_official_and_a_provisional_year(db):
    CalendarOverride.objects.create(date=D("2026-10-08"), is_working_day=False, note="停电")
    CalendarOverride.objects.create(date=D("2027-02-11"), is_working_day=False, note="春节延长")
    assert add_working_days(D("2026-09-30"), 1) == D("2026-10-09")
    assert add_working_days(D("2027-02-04"), 1) == D("2027-02-12")


def test_a_calendar_day_period_ending_on_a_holiday_ends_on_the_next_working_day(db):
    # Thursday 24 September 2026 + 7 days = 1 October (National Day); 1–7 October are off.
    assert add_calendar_days(D("2026-09-24"), 7) == D("2026-10-08")
    # Ending on a make-up Saturday needs no move.
    assert add_calendar_days(D("2026-10-03"), 7) == D("2026-10-10")


def test_each_counting_function_reads_the_overrides_once(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(D("2026-01-05"), 250)
    with django_assert_num_queries(1):
        working_days_between(D("2026-01-05"), D("2027-06-30"))
    with django_assert_num_queries(1):
        add_calendar_days(D("2026-09-24"), 7)


# --- the admin's warning about provisional years ------------------------------------------------

WARNING_2027 = "2027 年的官方节假日安排尚未录入，截止日期为预计"


def test_the_admin_is_warned_about_a_provisional_year_until_it_is_marked_entered(db, users, client):
    client.force_login(users["admin"])
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        page = client.get("/admin/org/calendaroverride/").content.decode()
        assert WARNING_2027 in page
        assert "2026 年的官方节假日安排" not in page

        response = client.post(
            "/admin/org/calendaryear/add/", {"year": "2027", "official_entered": "on", "note": "国办发明电〔2026〕"}
        )
        assert response.status_code == 302
        assert WARNING_2027 not in client.get("/admin/org/calendaroverride/").content.decode()
    marked = CalendarYear.objects.get(year=2027)
    assert marked.entered_by == users["admin"]
    assert marked.official_entered_at == dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)


def test_the_warning_covers_this_year_and_next_only(db):
    with time_machine.travel(dt.datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        with translation.override("zh-hans"):
            assert provisional_year_warnings() == [
                "2027 年的官方节假日安排尚未录入，截止日期为预计",
                "2028 年的官方节假日安排尚未录入，截止日期为预计",
            ]
        with translation.override("en"):
            assert provisional_year_warnings()[0] == (
                "The official holiday schedule for 2027 has not been entered; deadlines are provisional"
            )
