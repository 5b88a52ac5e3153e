"""Working days by the Thai public-holiday calendar (the ``holidays`` package).

A deadline or a round that falls on a weekend or a holiday is flagged, and moved by a stated policy:
``previous`` (the working day before) or ``next`` (the working day after).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

POLICIES = ("previous", "next")


@dataclass(frozen=True)
class DayCheck:
    day: date
    working: bool
    reason_th: str | None  # "วันเสาร์", "วันอาทิตย์" or the holiday's name
    reason_en: str | None


@dataclass(frozen=True)
class Adjusted:
    original: date
    day: date
    moved: bool
    reason_th: str | None
    reason_en: str | None
    policy: str


@lru_cache(maxsize=8)
def _thai(language: str) -> holidays.HolidayBase:
    """Thailand's public and government holidays, one object per language for the process (it fills in
    each year the first time a day of it is asked for)."""
    return holidays.Thailand(categories=("public", "government"), language=language)


@lru_cache(maxsize=4096)
def _nth_working_day(day: date, count: int) -> date:
    """On the national calendar (the same for every process and day): every step that opens asks it."""
    return _thai("th").get_nth_working_day(day, count)


class WorkingCalendar:
    """Thailand's working days: Monday to Friday, except public and government holidays, and any holidays
    of the agency's own (``extra_holidays``)."""

    def __init__(self, extra_holidays: dict[date, str] | None = None):
        self.extra = dict(extra_holidays or {})
        self.th: holidays.HolidayBase
        if self.extra:
            self.th = holidays.Thailand(categories=("public", "government"), language="th")
            self.th.update(dict(self.extra.items()))
        else:
            self.th = _thai("th")

    def check(self, day: date) -> DayCheck:
        if day.weekday() == 5:
            return DayCheck(day, False, "วันเสาร์", "Saturday")
        if day.weekday() == 6:
            return DayCheck(day, False, "วันอาทิตย์", "Sunday")
        if day in self.extra:
            return DayCheck(day, False, self.extra[day], self.extra[day])
        name = self.th.get(day)
        if name:
            return DayCheck(day, False, name, _thai("en_US").get(day, name))
        return DayCheck(day, True, None, None)

    def is_working_day(self, day: date) -> bool:
        return self.th.is_working_day(day)

    def adjust(self, day: date, policy: str) -> Adjusted:
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, not {policy!r}")
        check = self.check(day)
        if check.working:
            return Adjusted(day, day, False, None, None, policy)
        moved = self.th.get_nth_working_day(day, -1 if policy == "previous" else 1)
        return Adjusted(day, moved, True, check.reason_th, check.reason_en, policy)

    def adjust_within(self, day: date, policy: str, last: date | None) -> Adjusted:
        """As ``adjust``, but never past ``last`` (a measure's period end): a day the policy would move past
        it is held on the working day before instead."""
        adjusted = self.adjust(day, policy)
        if last is not None and adjusted.moved and adjusted.day > last and day <= last:
            before = self.adjust(day, "previous")
            return Adjusted(day, before.day, True, before.reason_th, before.reason_en, "previous")
        return adjusted

    def add_working_days(self, day: date, count: int) -> date:
        """The working day ``count`` working days after (or before, if negative) ``day``."""
        if count == 0:
            return day
        return self.th.get_nth_working_day(day, count) if self.extra else _nth_working_day(day, count)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        if end <= start:
            return 0
        return self.th.get_working_days_count(start + timedelta(days=1), end)
