import datetime as dt

from workflows.org.calendar import add_working_days, is_working_day, working_days_between
from workflows.org.models import CalendarOverride

D = dt.date.fromisoformat


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
