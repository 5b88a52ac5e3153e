from datetime import date

import pytest

from workflow.calendar import WorkingCalendar

cal = WorkingCalendar()


def test_memo_rounds_on_a_weekend_are_flagged():
    assert cal.check(date(2024, 5, 30)).working  # round 1, Thursday
    sat = cal.check(date(2024, 6, 15))  # round 2
    sun = cal.check(date(2024, 6, 30))  # round 3
    assert not sat.working and sat.reason_th == "วันเสาร์"
    assert not sun.working and sun.reason_th == "วันอาทิตย์"
    assert cal.check(date(2024, 7, 15)).working  # round 4, Monday


@pytest.mark.parametrize("day, previous, following", [
    (date(2024, 6, 15), date(2024, 6, 14), date(2024, 6, 17)),
    (date(2024, 6, 30), date(2024, 6, 28), date(2024, 7, 1)),
])
def test_weekend_rounds_move_by_policy(day, previous, following):
    before = cal.adjust(day, "previous")
    after = cal.adjust(day, "next")
    assert (before.day, before.moved) == (previous, True)
    assert (after.day, after.moved) == (following, True)


def test_public_holidays_are_not_working_days():
    queen = cal.check(date(2024, 6, 3))  # Queen Suthida's birthday, a Monday
    assert not queen.working and "สุทิดา" in queen.reason_th
    # Songkran 2567 with its substitute day: Fri 12 (special), Sat-Mon, Tue 16
    assert cal.adjust(date(2024, 4, 13), "next").day == date(2024, 4, 17)
    assert cal.adjust(date(2024, 4, 13), "previous").day == date(2024, 4, 11)


def test_working_day_arithmetic():
    assert cal.add_working_days(date(2024, 6, 14), 1) == date(2024, 6, 17)
    assert cal.add_working_days(date(2024, 6, 4), -1) == date(2024, 5, 31)  # skips the 3 June holiday
    assert cal.working_days_between(date(2024, 6, 14), date(2024, 6, 17)) == 1


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError):
        cal.adjust(date(2024, 6, 15), "nearest")
