"""Deadline rules counted on the statutory calendar (民法典 Arts. 201–204).

Expected dates are read off the State Council's 2026 schedule as chinesecalendar carries it:
Spring Festival off Sunday 15 – Monday 23 February, make-up Saturdays 14 and 28 February;
Mid-Autumn off Friday 25 – Sunday 27 September; National Day off 1–7 October, make-up Sunday
20 September and Saturday 10 October. 2027 comes from the holidays package: Spring Festival off
Friday 5 – Wednesday 10 February, no make-up days known.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from workflows.approvals.deadlines import (
    CALENDAR,
    PROCESS_FILED,
    WORKING,
    DeadlineRule,
    Due,
    describe,
    due_for,
    is_overdue,
    reminders_for,
)
from workflows.org.models import CalendarOverride, CalendarYear

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date.fromisoformat


def at(text: str) -> dt.datetime:
    """A wall-clock moment in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(D(day) + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)


# --- 2026, the official schedule ----------------------------------------------------------------


def test_three_working_days_from_the_make_up_saturday_before_spring_festival_end_after_the_holiday(db):
    # Saturday 14 February is a working day but, being the start day, is not counted.
    due = due_for(DeadlineRule(3), at("2026-02-14T10:00"))
    assert due == Due(at=end_of("2026-02-26"), day=D("2026-02-26"), provisional=False)


def test_the_make_up_saturdays_around_spring_festival_count_as_working_days(db):
    # From Friday 13 February: Sat 14 (1), then Tue 24 (2), Wed 25, Thu 26, Fri 27 (5), Sat 28 (6).
    assert due_for(DeadlineRule(1), at("2026-02-13T10:00")).day == D("2026-02-14")
    assert due_for(DeadlineRule(2), at("2026-02-13T10:00")).day == D("2026-02-24")
    assert due_for(DeadlineRule(6), at("2026-02-13T10:00")).day == D("2026-02-28")


def test_a_deadline_started_during_spring_festival_counts_from_the_first_day_back(db):
    assert due_for(DeadlineRule(1), at("2026-02-17T10:00")).day == D("2026-02-24")


def test_three_working_days_from_the_eve_of_national_day_end_on_the_make_up_saturday(db):
    # Wed 30 September: 1–7 October off, Thu 8 (1), Fri 9 (2), Sat 10 (3, make-up day).
    due = due_for(DeadlineRule(3), at("2026-09-30T16:00"))
    assert due == Due(at=end_of("2026-10-10"), day=D("2026-10-10"), provisional=False)


def test_the_make_up_sunday_before_mid_autumn_and_national_day_counts(db):
    assert due_for(DeadlineRule(1), at("2026-09-18T10:00")).day == D("2026-09-20")
    # Thu 24 September: Mid-Autumn 25–27 off, Mon 28 (1), Tue 29, Wed 30, then Thu 8 October (4).
    assert due_for(DeadlineRule(4), at("2026-09-24T10:00")).day == D("2026-10-08")


def test_twenty_working_days_across_national_day(db):
    # From Mon 21 September: 22–24 (3), 28–30 (6), 8–10 Oct (9), 12–16 (14), 19–23 (19), Mon 26 (20).
    assert due_for(DeadlineRule(20), at("2026-09-21T09:00")).day == D("2026-10-26")


def test_a_calendar_day_deadline_landing_on_a_holiday_moves_to_the_next_working_day(db):
    # Thu 24 September + 7 days = Thursday 1 October, National Day; the first working day is the 8th.
    due = due_for(DeadlineRule(7, unit=CALENDAR), at("2026-09-24T10:00"))
    assert due == Due(at=end_of("2026-10-08"), day=D("2026-10-08"), provisional=False)
    # Sun 1 February + 15 days = Monday 16 February (Spring Festival) → Tuesday 24 February.
    assert due_for(DeadlineRule(15, unit=CALENDAR), at("2026-02-01T10:00")).day == D("2026-02-24")


def test_a_calendar_day_deadline_landing_on_a_plain_weekend_moves_to_monday(db):
    # Mon 2 March + 5 = Saturday 7 March → Monday 9 March.
    assert due_for(DeadlineRule(5, unit=CALENDAR), at("2026-03-02T10:00")).day == D("2026-03-09")


def test_a_calendar_day_deadline_on_a_working_day_stays(db):
    assert due_for(DeadlineRule(3, unit=CALENDAR), at("2026-03-02T10:00")).day == D("2026-03-05")


# --- the day boundary: 24:00 Beijing time -------------------------------------------------------


def test_the_start_day_is_the_beijing_date_and_the_deadline_ends_at_24_00_beijing_time(db):
    late = due_for(DeadlineRule(1), at("2026-03-02T23:59"))
    assert late.day == D("2026-03-03")
    assert late.at == at("2026-03-04T00:00")
    early = due_for(DeadlineRule(1), at("2026-03-03T00:01"))
    assert early.day == D("2026-03-04")
    assert early.at == at("2026-03-05T00:00")
    # The same instant given in UTC is the same Beijing day: 16:01 UTC is 00:01 the next morning.
    assert due_for(DeadlineRule(1), dt.datetime(2026, 3, 2, 16, 1, tzinfo=dt.UTC)) == early


def test_the_whole_last_day_is_in_time_and_midnight_is_overdue():
    due_at = at("2026-03-04T00:00")
    assert not is_overdue(due_at, now=at("2026-03-03T23:59:59"))
    assert is_overdue(due_at, now=at("2026-03-04T00:00"))
    with time_machine.travel(at("2026-03-03T12:00"), tick=False):
        assert not is_overdue(due_at)
    with time_machine.travel(at("2026-03-04T08:00"), tick=False):
        assert is_overdue(due_at)


def test_a_naive_start_is_refused(db):
    with pytest.raises(ValueError, match="aware"):
        due_for(DeadlineRule(1), dt.datetime(2026, 3, 2, 10, 0))


# --- 2027, a provisional year -------------------------------------------------------------------


def test_a_2027_deadline_is_provisional_and_skips_the_holidays_packages_spring_festival(db):
    # Thu 4 February 2027: 5–10 off (festival and weekend), Thu 11 (1), Fri 12 (2), Mon 15 (3).
    due = due_for(DeadlineRule(3), at("2027-02-04T10:00"))
    assert due == Due(at=end_of("2027-02-15"), day=D("2027-02-15"), provisional=True)


def test_a_deadline_that_crosses_into_2027_is_provisional(db):
    # Thu 31 December 2026: 1 January 2027 is New Year's Day, then a weekend.
    due = due_for(DeadlineRule(1), at("2026-12-31T10:00"))
    assert (due.day, due.provisional) == (D("2027-01-04"), True)
    assert due_for(DeadlineRule(1), at("2026-12-28T10:00")).provisional is False


def test_a_calendar_day_deadline_moved_into_2027_is_provisional(db):
    # Sun 27 December 2026 + 5 = Friday 1 January 2027 (New Year's Day) → Monday 4 January.
    due = due_for(DeadlineRule(5, unit=CALENDAR), at("2026-12-27T10:00"))
    assert (due.day, due.provisional) == (D("2027-01-04"), True)


def test_once_the_admin_marks_2027_entered_its_deadlines_are_no_longer_provisional(db, users):
    rule = DeadlineRule(3)
    assert due_for(rule, at("2027-02-04T10:00")).provisional is True
    # The admin enters the official schedule (here: a make-up Saturday) and marks the year.
    CalendarOverride.objects.create(date=D("2027-02-13"), is_working_day=True, note="调休上班")
    CalendarYear.objects.create(year=2027, official_entered=True, entered_by=users["admin"])
    assert due_for(rule, at("2027-02-04T10:00")) == Due(
        at=end_of("2027-02-13"), day=D("2027-02-13"), provisional=False
    )


# --- overrides ----------------------------------------------------------------------------------


def test_an_override_making_a_holiday_a_working_day_shortens_the_deadline(db):
    CalendarOverride.objects.create(date=D("2026-10-05"), is_working_day=True, note="集中办公")
    assert due_for(DeadlineRule(1), at("2026-09-30T10:00")).day == D("2026-10-05")
    # A calendar-day period landing on that day no longer moves.
    assert due_for(DeadlineRule(5, unit=CALENDAR), at("2026-09-30T10:00")).day == D("2026-10-05")


def test_an_override_making_a_working_day_a_rest_day_lengthens_the_deadline(db):
    CalendarOverride.objects.create(date=D("2026-10-08"), is_working_day=False, note="停电")
    assert due_for(DeadlineRule(1), at("2026-09-30T10:00")).day == D("2026-10-09")
    assert due_for(DeadlineRule(7, unit=CALENDAR), at("2026-09-24T10:00")).day == D("2026-10-09")


def test_overrides_win_over_the_holidays_package_in_a_provisional_year(db):
    CalendarOverride.objects.create(date=D("2027-02-10"), is_working_day=True)
    CalendarOverride.objects.create(date=D("2027-02-11"), is_working_day=False)
    due = due_for(DeadlineRule(2), at("2027-02-04T10:00"))
    assert (due.day, due.provisional) == (D("2027-02-12"), True)


# --- the hot path -------------------------------------------------------------------------------


def test_an_official_deadline_costs_one_query_and_a_provisional_one_two(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        due_for(DeadlineRule(20), at("2026-09-21T09:00"))
    with django_assert_num_queries(1):
        due_for(DeadlineRule(15, unit=CALENDAR), at("2026-02-01T10:00"))
    with django_assert_num_queries(2):
        due_for(DeadlineRule(20), at("2027-02-04T10:00"))


# --- reminders ----------------------------------------------------------------------------------


def test_reminders_fall_the_given_working_days_before_the_last_day_at_nine(db):
    # 20 working days from Mon 21 September end Mon 26 October; 1 before is Fri 23, 5 before Mon 19.
    rule = DeadlineRule(20, remind_before=(1, 5))
    assert reminders_for(rule, at("2026-09-21T09:00")) == [at("2026-10-19T09:00"), at("2026-10-23T09:00")]


def test_working_day_reminders_skip_the_holiday(db):
    # Due Sat 10 October (make-up day); 3 working days before is Wed 30 September.
    rule = DeadlineRule(6, remind_before=(3,))
    assert due_for(rule, at("2026-09-24T10:00")).day == D("2026-10-10")
    assert reminders_for(rule, at("2026-09-24T10:00")) == [at("2026-09-30T09:00")]


def test_calendar_day_reminders_count_calendar_days_and_none_fall_before_the_start(db):
    rule = DeadlineRule(7, unit=CALENDAR, remind_before=(2, 30))
    # Due Thu 8 October (moved from the 1st); 2 calendar days before is Tue 6 October.
    assert reminders_for(rule, at("2026-09-24T10:00")) == [at("2026-10-06T09:00")]
    assert reminders_for(DeadlineRule(3), at("2026-09-24T10:00")) == []


# --- declaring rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"days": 0}, "days must be a positive integer"),
        ({"days": -3}, "days must be a positive integer"),
        ({"days": 2.5}, "days must be a positive integer"),
        ({"days": "5"}, "days must be a positive integer"),
        ({"days": True}, "days must be a positive integer"),
        ({"days": 5, "unit": "weeks"}, "unit must be one of"),
        ({"days": 5, "start": "task_closed"}, "start must be one of"),
        ({"days": 5, "on_timeout": None}, "on_timeout must be an action code"),
        ({"days": 5, "remind_before": [1]}, "remind_before must be a tuple"),
        ({"days": 5, "remind_before": (0,)}, "remind_before must be a tuple"),
    ],
)
def test_a_rule_with_a_bad_value_is_refused_when_it_is_declared(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DeadlineRule(**kwargs)


def test_a_rule_declares_its_unit_start_timeout_and_reminders():
    rule = DeadlineRule(
        20, unit=WORKING, basis="《政府信息公开条例》第三十三条", start=PROCESS_FILED, on_timeout="escalate",
        remind_before=(3, 1),
    )  # fmt: skip
    assert (rule.days, rule.unit, rule.start, rule.on_timeout, rule.remind_before) == (
        20, "working", "process_filed", "escalate", (3, 1),
    )  # fmt: skip
    assert DeadlineRule(5).start == "task_created"


def test_a_rule_is_described_chinese_first_with_its_basis():
    with translation.override("zh-hans"):
        assert describe(DeadlineRule(20, basis="《政府信息公开条例》")) == "20 个工作日（《政府信息公开条例》）"
        assert describe(DeadlineRule(15, unit=CALENDAR)) == "15 个自然日"
    with translation.override("en"):
        assert describe(DeadlineRule(20, basis="Regulation on Open Government Information")) == (
            "20 working days (Regulation on Open Government Information)"
        )
        assert describe(DeadlineRule(1)) == "1 working day"
        assert describe(DeadlineRule(1, unit=CALENDAR)) == "1 calendar day"
